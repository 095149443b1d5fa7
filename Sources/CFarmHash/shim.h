#include <stddef.h>
#include <stdint.h>

/* Debian's libfarmhash is C++: `util::Fingerprint64(const char*, size_t)`, the FarmHash
 * fingerprint TensorFlow's `Fingerprint64` (and so Keras's Hashing, StringLookup's OOV
 * buckets and HashedCrossing) uses. This declares that symbol under a C name; the asm
 * label is its Itanium C++ mangled name, stable across compilers on Linux. */
uint64_t farmhash_fingerprint64(const char *s, size_t len) __asm__("_ZN4util13Fingerprint64EPKcm");
