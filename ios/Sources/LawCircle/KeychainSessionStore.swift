// The library's session (its bearer token and account) kept for it in the
// Keychain: the library calls this SessionStore on every sign-in and
// sign-out, and `useSessionStore` takes the session back at launch. One
// generic-password item, readable after the first unlock (background sync
// needs it while the phone is locked), never synced to iCloud or restored
// to another device. Compiled where Security exists (Xcode), never on Linux.
#if canImport(Security)
    import Foundation
    import LawCircleFFI
    import Security

    public final class KeychainSessionStore: LawCircleFFI.SessionStore, Sendable {
        private let service: String

        public init(service: String = "org.lawcircle.app.session") { self.service = service }

        public func load() throws -> StoredSession? {
            var query = baseQuery()
            query[kSecReturnData as String] = true
            query[kSecMatchLimit as String] = kSecMatchLimitOne
            var item: CFTypeRef?
            let status = SecItemCopyMatching(query as CFDictionary, &item)
            if status == errSecItemNotFound { return nil }
            guard status == errSecSuccess, let data = item as? Data else {
                throw LawCircleError.Internal(reason: "Keychain read failed (\(status))")
            }
            do {
                return try decodeStoredSession(bytes: data)
            } catch {
                // Unreadable (another version, damaged): forgotten, the user signs in again.
                try clear()
                return nil
            }
        }

        public func save(session: StoredSession) throws {
            try clear()
            var item = baseQuery()
            item[kSecValueData as String] = try encodeStoredSession(session: session)
            item[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
            let status = SecItemAdd(item as CFDictionary, nil)
            guard status == errSecSuccess else {
                throw LawCircleError.Internal(reason: "Keychain write failed (\(status))")
            }
        }

        public func clear() throws {
            let status = SecItemDelete(baseQuery() as CFDictionary)
            guard status == errSecSuccess || status == errSecItemNotFound else {
                throw LawCircleError.Internal(reason: "Keychain delete failed (\(status))")
            }
        }

        private func baseQuery() -> [String: Any] {
            [kSecClass as String: kSecClassGenericPassword, kSecAttrService as String: service]
        }
    }
#endif
