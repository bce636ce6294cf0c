import Foundation

/// The app's settings kept on the phone (the language, the last punch):
/// `UserDefaults` on the phone and in the tests (a suite of their own).
/// Nothing personal is kept here.
public protocol SettingsStore: AnyObject {
    func setting(_ key: String) -> String?
    func setSetting(_ value: String?, _ key: String)
}

extension UserDefaults: SettingsStore {
    public func setting(_ key: String) -> String? { string(forKey: key) }

    public func setSetting(_ value: String?, _ key: String) {
        if let value { set(value, forKey: key) } else { removeObject(forKey: key) }
    }
}

/// A value kept in the settings as JSON, or nil when absent or unreadable
/// (an older app's format is dropped, never crashes).
func readSetting<T: Decodable>(_ store: SettingsStore, _ key: String, as: T.Type) -> T? {
    guard let text = store.setting(key) else { return nil }
    return try? JSONDecoder().decode(T.self, from: Data(text.utf8))
}

func writeSetting<T: Encodable>(_ store: SettingsStore, _ key: String, _ value: T?) {
    guard let value, let data = try? JSONEncoder().encode(value) else {
        store.setSetting(nil, key)
        return
    }
    store.setSetting(String(decoding: data, as: UTF8.self), key)
}
