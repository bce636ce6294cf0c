import Foundation
import LawCircleFFI

/// What the sign-up / sign-in by SMS code screen (注册 / 验证码登录) shows.
public struct RegisterState: Equatable, Sendable {
    public enum Phase: Equatable, Sendable {
        case editing
        case sending
        /// A code is on its way (valid until `expiresAt`).
        case codeSent(SmsCodeSent)
        /// Signed in: the screen moves on.
        case signedIn(Account)
        /// A refused number or code (`field` names it), a limit, no
        /// connection, or SMS not available on this platform.
        case error(UiError)
    }

    /// `.register` makes an account; `.signIn` signs in to one.
    public var purpose: SmsCodePurpose
    public var phone: String = ""
    public var code: String = ""
    /// Registering only.
    public var displayName: String = ""
    /// Registering only, optional: without one the account signs in by code.
    public var password: String = ""
    public var phase: Phase = .editing

    public init(purpose: SmsCodePurpose = .register) { self.purpose = purpose }
}

/// A resident registers with a mainland mobile number verified by an SMS
/// code, or signs in with a code. Mirrors Android's RegisterPresenter.
@MainActor
public final class RegisterViewModel {
    public let state: StateHolder<RegisterState>
    private let client: LawCircleClient

    public init(client: LawCircleClient, purpose: SmsCodePurpose = .register) {
        self.client = client
        state = StateHolder(RegisterState(purpose: purpose))
    }

    public func edit(_ change: (inout RegisterState) -> Void) {
        state.update {
            change(&$0)
            if case .error = $0.phase { $0.phase = .editing }
        }
    }

    /// Starts a call unless one is in flight or the user is signed in.
    private func begin() -> RegisterState? {
        var go = false
        var current = state.value
        state.update {
            switch $0.phase {
            case .sending, .signedIn:
                break
            case .editing, .codeSent, .error:
                $0.phase = .sending
                go = true
            }
            current = $0
        }
        return go ? current : nil
    }

    /// Asks for a code to the number entered.
    public func requestCode() async {
        guard let s = begin() else { return }
        do {
            let sent = try await client.requestSmsCode(phone: s.phone, purpose: s.purpose)
            state.update { $0.phase = .codeSent(sent) }
        } catch {
            state.update { $0.phase = .error(UiError(error)) }
        }
    }

    /// Registers (or signs in) with the code received.
    public func submit() async {
        guard let s = begin() else { return }
        do {
            let account: Account
            switch s.purpose {
            case .register:
                account = try await client.register(
                    phone: s.phone, code: s.code, displayName: s.displayName,
                    password: s.password.isEmpty ? nil : s.password)
            case .signIn:
                account = try await client.signInWithCode(phone: s.phone, code: s.code)
            }
            state.update { $0.phase = .signedIn(account) }
        } catch {
            state.update { $0.phase = .error(UiError(error)) }
        }
    }
}
