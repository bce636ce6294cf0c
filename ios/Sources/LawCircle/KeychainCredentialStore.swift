// The Keychain as the credential store: one generic-password item, readable
// after the first unlock (background sync needs it while the phone is
// locked), never synced to iCloud or restored to another device. Compiled
// where Security exists (Xcode), never on Linux.
#if canImport(Security)
    import Foundation
    import Security

    public struct KeychainCredentialStore: CredentialStore {
        private let service: String

        public init(service: String = "org.lawcircle.app.sign-in") { self.service = service }

        public func load() throws -> SavedSignIn? {
            var query = baseQuery()
            query[kSecReturnData as String] = true
            query[kSecMatchLimit as String] = kSecMatchLimitOne
            var item: CFTypeRef?
            let status = SecItemCopyMatching(query as CFDictionary, &item)
            if status == errSecItemNotFound { return nil }
            guard status == errSecSuccess, let data = item as? Data,
                let fields = try JSONSerialization.jsonObject(with: data) as? [String: String],
                let server = fields["server_url"], let username = fields["username"], let secret = fields["secret"]
            else { throw KeychainError(status: status) }
            return SavedSignIn(serverUrl: server, username: username, secret: secret)
        }

        public func save(_ saved: SavedSignIn) throws {
            let data = try JSONSerialization.data(withJSONObject: [
                "server_url": saved.serverUrl, "username": saved.username, "secret": saved.secret,
            ])
            try clear()
            var item = baseQuery()
            item[kSecValueData as String] = data
            item[kSecAttrAccessible as String] = kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly
            let status = SecItemAdd(item as CFDictionary, nil)
            guard status == errSecSuccess else { throw KeychainError(status: status) }
        }

        public func clear() throws {
            let status = SecItemDelete(baseQuery() as CFDictionary)
            guard status == errSecSuccess || status == errSecItemNotFound else { throw KeychainError(status: status) }
        }

        private func baseQuery() -> [String: Any] {
            [kSecClass as String: kSecClassGenericPassword, kSecAttrService as String: service]
        }
    }

    /// A Keychain call failed with `status` (an `OSStatus`).
    public struct KeychainError: Error, Equatable {
        public let status: OSStatus
    }
#endif
