// The sign-in screen: the server address (from the build or a station's QR
// code), username or mobile number, password. State in, actions out.
import LawCircle
import SwiftUI

struct SignInView: View {
    let model: SignInViewModel
    @StateObject private var state: Observed<SignInState>

    init(model: SignInViewModel) {
        self.model = model
        _state = StateObject(wrappedValue: Observed(model.state))
    }

    var body: some View {
        Form {
            Section("服务器 Server") {
                TextField(
                    "服务器地址 Server address",
                    text: Binding(get: { state.value.serverUrl }, set: { v in model.edit { $0.serverUrl = v } })
                )
                .textContentType(.URL)
                .keyboardType(.URL)
            }
            Section("账号 Account") {
                TextField(
                    "用户名或手机号 Username or mobile",
                    text: Binding(get: { state.value.username }, set: { v in model.edit { $0.username = v } })
                )
                .textContentType(.username)
                SecureField(
                    "密码 Password",
                    text: Binding(get: { state.value.password }, set: { v in model.edit { $0.password = v } })
                )
                .textContentType(.password)
            }
            if case let .error(error) = state.value.phase {
                Text(error.message).foregroundStyle(.red).accessibilityLabel("错误 Error: \(error.message)")
            }
            Button("登录 Sign in") { Task { await model.signIn() } }
                .disabled(state.value.phase == .signingIn)
        }
    }
}
