import Foundation

/// Applies the platform's protection to one file or folder of the phone's
/// database. The iOS implementation is `DataProtection`; tests record the
/// calls.
public protocol FileProtector {
    func protect(_ url: URL, isDirectory: Bool) throws
}

/// Where the phone keeps its database at rest, and its protection.
///
/// The database holds people's legal troubles and contact details until
/// the server confirmed them. On iOS it lives in Application Support, in a
/// folder of its own that is:
///  - under Data Protection class `completeUntilFirstUserAuthentication`:
///    encrypted with a key the device holds only after the user unlocked
///    it once since boot (the outbox can still sync in the background
///    afterwards, which `complete` would forbid while the phone is locked);
///    set on the folder, so that files SQLite creates later (`-wal`,
///    `-shm`, the journal, the library's offline copy) inherit it, and on
///    each file already there;
///  - excluded from iCloud and iTunes backups.
///
/// No database encryption key is added: Data Protection protects the files
/// at rest, so the Rust library is unchanged (0 bytes).
public enum PhoneStorage {
    /// The folder inside Application Support.
    public static let folder = "LawCircle"
    /// The database file.
    public static let database = "phone.sqlite"
    /// The Data Protection class, by its Foundation name.
    public static let protectionClass = "completeUntilFirstUserAuthentication"

    /// The files of the database at `database`: the file itself, SQLite's
    /// write-ahead log and shared memory, a rollback journal, and the
    /// library's offline copy with its temporary file while it is
    /// rewritten.
    public static func databaseFiles(_ database: URL) -> [URL] {
        ["", "-wal", "-shm", "-journal", ".offline.json", ".offline.json.tmp"].map {
            URL(fileURLWithPath: database.path + $0)
        }
    }

    /// Makes the database folder inside `applicationSupport`, protects it
    /// and every database file already there, and returns the database
    /// path to give the core client. Call it again after the client opened
    /// the database (the files it created are protected then too).
    @discardableResult
    public static func prepare(applicationSupport: URL, protector: FileProtector) throws -> URL {
        let dir = applicationSupport.appendingPathComponent(folder, isDirectory: true)
        try FileManager.default.createDirectory(
            at: dir, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        try protector.protect(dir, isDirectory: true)
        let db = dir.appendingPathComponent(database)
        for file in databaseFiles(db) where FileManager.default.fileExists(atPath: file.path) {
            try protector.protect(file, isDirectory: false)
        }
        return db
    }
}

#if os(iOS) || os(watchOS) || os(tvOS)
    /// iOS Data Protection: the class `completeUntilFirstUserAuthentication`,
    /// and no backup.
    public struct DataProtection: FileProtector {
        public init() {}

        public func protect(_ url: URL, isDirectory: Bool) throws {
            try FileManager.default.setAttributes(
                [.protectionKey: FileProtectionType.completeUntilFirstUserAuthentication],
                ofItemAtPath: url.path)
            var values = URLResourceValues()
            values.isExcludedFromBackup = true
            var target = url
            try target.setResourceValues(values)
        }
    }
#endif
