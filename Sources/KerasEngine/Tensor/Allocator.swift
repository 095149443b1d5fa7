/// glibc's `mallopt` (its header, malloc.h, is not part of the Glibc module).
@_silgen_name("mallopt") private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32

/// Keeps glibc from returning batch-sized buffers to the kernel after every step.
///
/// Tensors of a training step are freed and allocated again on the next one. By default
/// glibc serves blocks above 128 KiB with mmap and unmaps them on free, so every batch
/// faults its pages in afresh (about 20% of a CNN step). Raising the mmap threshold to
/// 64 MiB and disabling trimming keeps the pages mapped for reuse. Those two alone still
/// left the LSTM benchmark faulting ~400,000 fresh pages an epoch (its backward buffers,
/// a fifth of its time in the kernel); a 256 MiB top pad (address space reserved ahead,
/// not memory touched) brought that to the ~35,000 of the first batch. Call once at start-up.
public func keepBatchBuffersMapped() {
    _ = glibcMallopt(-3 /* M_MMAP_THRESHOLD */, 64 << 20)
    _ = glibcMallopt(-1 /* M_TRIM_THRESHOLD */, Int32.max)
    _ = glibcMallopt(-2 /* M_TOP_PAD */, 256 << 20)
}
