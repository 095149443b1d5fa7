import KerasText
import CHDF5
import Foundation
import KerasEngine

/// An HDF5 file through the system libhdf5: just what Keras weight files need — groups,
/// float datasets, string attributes — addressed by absolute paths (`/layers/dense/vars/0`).
///
/// Files are opened from bytes (HDF5's in-memory "core" driver) or from a path, and
/// created in memory (``image()`` returns the finished file). HDF5's own error printing
/// is turned off; every failure is a one-line ``KerasFileError``.
final class HDF5File {
    let id: hid_t
    /// The file as the user named it, for messages.
    let name: String

    private init(id: hid_t, name: String) {
        self.id = id
        self.name = name
    }

    deinit { H5Fclose(id) }

    /// Opens an HDF5 file held in memory (e.g. a `.keras` archive's model.weights.h5).
    static func open(image: [UInt8], name: String) throws(KerasFileError) -> HDF5File {
        chdf5_silence()
        guard image.count >= 8, image[0..<8].elementsEqual([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]) else {
            throw KerasFileError(file: name, "not an HDF5 file (bad signature)")
        }
        let fapl = H5Pcreate(chdf5_p_file_access())
        defer { H5Pclose(fapl) }
        H5Pset_fapl_core(fapl, 1 << 16, false)
        let set = image.withUnsafeBytes { H5Pset_file_image(fapl, UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count) }
        // A name no file has: with an image, the core driver must not touch the disk.
        let id = H5Fopen("memory-\(UUID().uuidString).h5", chdf5_f_acc_rdonly(), fapl)
        guard set >= 0, id >= 0 else { throw KerasFileError(file: name, "not a readable HDF5 file (corrupt or truncated)") }
        return HDF5File(id: id, name: name)
    }

    /// Opens the HDF5 file at `path` for reading.
    static func open(path: String) throws(KerasFileError) -> HDF5File {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KerasFileError(file: path, "cannot read file: no such file or unreadable")
        }
        return try open(image: [UInt8](data), name: path)
    }

    /// Creates an empty file in memory.
    static func create(name: String) throws(KerasFileError) -> HDF5File {
        chdf5_silence()
        let fapl = H5Pcreate(chdf5_p_file_access())
        defer { H5Pclose(fapl) }
        H5Pset_fapl_core(fapl, 1 << 16, false)
        let id = H5Fcreate("memory-\(UUID().uuidString).h5", chdf5_f_acc_trunc(), chdf5_p_default(), fapl)
        guard id >= 0 else { throw KerasFileError(file: name, "cannot create an HDF5 file in memory") }
        return HDF5File(id: id, name: name)
    }

    /// The bytes of the file (after flushing).
    func image() throws(KerasFileError) -> [UInt8] {
        H5Fflush(id, H5F_SCOPE_GLOBAL)
        let size = H5Fget_file_image(id, nil, 0)
        guard size > 0 else { throw KerasFileError(file: name, "cannot get the HDF5 file image") }
        var out = [UInt8](repeating: 0, count: size)
        let got = out.withUnsafeMutableBytes { H5Fget_file_image(id, $0.baseAddress, size) }
        guard got == size else { throw KerasFileError(file: name, "cannot get the HDF5 file image") }
        return out
    }

    // MARK: Reading

    /// What sits at `path`.
    enum Kind { case group, dataset, other }

    /// The kind of object at `path`, or nil when there is none.
    func kind(_ path: String) -> Kind? {
        var prefix = ""
        for part in path.split(separator: "/") {
            prefix += "/" + part
            guard H5Lexists(id, prefix, chdf5_p_default()) > 0 else { return nil }
        }
        let object = H5Oopen(id, path.isEmpty ? "/" : path, chdf5_p_default())
        guard object >= 0 else { return nil }
        defer { H5Oclose(object) }
        switch H5Iget_type(object) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        default: return .other
        }
    }

    /// The names of the links in the group at `path`, in name order.
    func children(_ path: String) -> [String] {
        let group = H5Gopen2(id, path.isEmpty ? "/" : path, chdf5_p_default())
        guard group >= 0 else { return [] }
        defer { H5Gclose(group) }
        var info = H5G_info_t()
        guard H5Gget_info(group, &info) >= 0 else { return [] }
        var names: [String] = []
        for i in 0..<min(info.nlinks, 4096) {
            let n = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, chdf5_p_default())
            guard n >= 0, n < 4096 else { continue }
            var buffer = [CChar](repeating: 0, count: n + 1)
            H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, n + 1, chdf5_p_default())
            names.append(String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names
    }

    /// The string attribute `attribute` of the object at `path` (a scalar string, or the
    /// strings of an array attribute), nil when absent. Fixed-length and variable-length
    /// strings are both read.
    func strings(_ attribute: String, of path: String) throws(KerasFileError) -> [String]? {
        guard H5Aexists_by_name(id, path, attribute, chdf5_p_default()) > 0 else { return nil }
        let attr = H5Aopen_by_name(id, path, attribute, chdf5_p_default(), chdf5_p_default())
        guard attr >= 0 else { return nil }
        defer { H5Aclose(attr) }
        let type = H5Aget_type(attr)
        defer { H5Tclose(type) }
        let space = H5Aget_space(attr)
        defer { H5Sclose(space) }
        // An empty list is stored as an empty (float) array.
        if H5Sget_simple_extent_type(space) == H5S_SIMPLE, H5Sget_simple_extent_npoints(space) == 0 { return [] }
        guard H5Tget_class(type) == H5T_STRING else {
            throw KerasFileError(file: name, "attribute \(attribute) of \(path) is not a string")
        }
        let points = Int(H5Sget_simple_extent_npoints(space))
        guard points >= 0, points <= 1 << 20 else {
            throw KerasFileError(file: name, "attribute \(attribute) of \(path) has an impossible size (corrupt file)")
        }
        let count = max(1, points)
        if H5Tis_variable_str(type) > 0 {
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            let status = pointers.withUnsafeMutableBytes { H5Aread(attr, type, $0.baseAddress) }
            guard status >= 0 else { throw KerasFileError(file: name, "cannot read attribute \(attribute) of \(path)") }
            defer { for p in pointers { H5free_memory(p) } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = H5Tget_size(type)
        guard size > 0, let total = ShapeArithmetic.product(size, count), total <= HDF5Sandbox.maxMessageBytes else {
            throw KerasFileError(file: name, "attribute \(attribute) of \(path) has an impossible size (corrupt file)")
        }
        var buffer = [UInt8](repeating: 0, count: size * count)
        let status = buffer.withUnsafeMutableBytes { H5Aread(attr, type, $0.baseAddress) }
        guard status >= 0 else { throw KerasFileError(file: name, "cannot read attribute \(attribute) of \(path)") }
        return (0..<count).map { i in
            let slice = buffer[(i * size)..<((i + 1) * size)]
            return String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// The address of the object at `path` in the file (its identity: two links to one
    /// group give the same address), nil when it cannot be opened.
    func address(_ path: String) -> UInt64? {
        let object = H5Oopen(id, path.isEmpty ? "/" : path, chdf5_p_default())
        guard object >= 0 else { return nil }
        defer { H5Oclose(object) }
        var info = H5O_info_t()
        guard H5Oget_info2(object, &info, UInt32(H5O_INFO_BASIC)) >= 0 else { return nil }
        return UInt64(info.addr)
    }

    /// The shape of the numeric dataset at `path`, checked: a float or integer type, a simple
    /// dataspace of rank at most 32, no dimension over `ShapeArithmetic.maxDimension`.
    func floatShape(_ path: String) throws(KerasFileError) -> [Int] {
        let dataset = H5Dopen2(id, path, chdf5_p_default())
        guard dataset >= 0 else { throw KerasFileError(file: name, "missing dataset \(path)") }
        defer { H5Dclose(dataset) }
        let type = H5Dget_type(dataset)
        guard type >= 0 else { throw KerasFileError(file: name, "dataset \(path) has an unreadable type (corrupt file)") }
        defer { H5Tclose(type) }
        // Integer weights (Normalization's count) are read as float32 too (HDF5 converts).
        let kind = H5Tget_class(type)
        guard kind == H5T_FLOAT || kind == H5T_INTEGER else { throw KerasFileError(file: name, "dataset \(path) does not hold numbers") }
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw KerasFileError(file: name, "dataset \(path) has an unreadable shape (corrupt file)") }
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank >= 0, rank <= 32 else { throw KerasFileError(file: name, "dataset \(path) has no simple shape") }
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        guard H5Sget_simple_extent_dims(space, &dims, nil) >= 0 else {
            throw KerasFileError(file: name, "dataset \(path) has an unreadable shape (corrupt file)")
        }
        let shape = dims.prefix(rank).map { $0 > hsize_t(ShapeArithmetic.maxDimension) ? -1 : Int($0) }
        guard !shape.contains(-1), ShapeArithmetic.count(shape) != nil else {
            throw KerasFileError(file: name, "dataset \(path) has an impossible shape \(dims.prefix(rank).map { $0 })")
        }
        return shape
    }

    /// Reads the float dataset at `path`, whose shape the caller checked holds `count`
    /// values, into `destination` as float32.
    func readFloats(_ path: String, into destination: UnsafeMutableRawPointer, count: Int) throws(KerasFileError) {
        let dataset = H5Dopen2(id, path, chdf5_p_default())
        guard dataset >= 0 else { throw KerasFileError(file: name, "missing dataset \(path)") }
        defer { H5Dclose(dataset) }
        let space = H5Dget_space(dataset)
        guard space >= 0 else { throw KerasFileError(file: name, "cannot read dataset \(path) (corrupt file)") }
        defer { H5Sclose(space) }
        guard H5Sget_simple_extent_npoints(space) == count else {
            throw KerasFileError(file: name, "dataset \(path) changed size while read (corrupt file)")
        }
        let status = H5Dread(dataset, chdf5_native_float(), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), destination)
        guard status >= 0 else { throw KerasFileError(file: name, "cannot read dataset \(path) (corrupt file)") }
    }

    // MARK: Writing

    /// Creates the group at `path` (its parent must exist).
    func createGroup(_ path: String) throws(KerasFileError) {
        let group = H5Gcreate2(id, path, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
        guard group >= 0 else { throw KerasFileError(file: name, "cannot create group \(path)") }
        H5Gclose(group)
    }

    /// Writes a float32 dataset at `path` (its group must exist).
    func writeFloats(_ path: String, shape: [Int], data: [Float]) throws(KerasFileError) {
        precondition(shape.reduce(1, *) == data.count, "dataset \(path): shape \(shape) does not hold \(data.count) values")
        let dims = shape.map { hsize_t($0) }
        let space = shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), dims, nil)
        defer { H5Sclose(space) }
        let dataset = H5Dcreate2(id, path, chdf5_ieee_f32le(), space, chdf5_p_default(), chdf5_p_default(), chdf5_p_default())
        guard dataset >= 0 else { throw KerasFileError(file: name, "cannot create dataset \(path)") }
        defer { H5Dclose(dataset) }
        let status = data.withUnsafeBytes {
            H5Dwrite(dataset, chdf5_native_float(), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), $0.baseAddress)
        }
        guard status >= 0 else { throw KerasFileError(file: name, "cannot write dataset \(path)") }
    }
}

/// A problem with a Keras model file (`.keras`, `.h5`): unreadable, corrupt, missing a
/// member, or weights that do not fit the model. One line: `file: message`.
public struct KerasFileError: Error, CustomStringConvertible, Sendable {
    /// The file as the user named it.
    public let file: String
    /// What is wrong.
    public let message: String

    public init(file: String, _ message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { oneLine("\(file): \(message)") }
}
