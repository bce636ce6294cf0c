// The sign-in screen: the server address (from the build or a station's QR
// code), username or mobile number, password. State in, actions out.
import LawCircle
import SwiftUI

struct SignInView: View {
    let model: SignInViewModel
    @StateObject private var state: Observed<SignInState>
    @Environment(\.strings) private var s

    init(model: SignInViewModel) {
        self.model = model
        _state = StateObject(wrappedValue: Observed(model.state))
    }

    var body: some View {
        Form {
            Section(s(.signInServer)) {
                TextField(
                    s(.signInServerAddress),
                    text: Binding(get: { state.value.serverUrl }, set: { v in model.edit { $0.serverUrl = v } })
                )
                .textContentType(.URL)
                .keyboardType(.URL)
            }
            Section(s(.signInAccount)) {
                TextField(
                    s(.signInUsername),
                    text: Binding(get: { state.value.username }, set: { v in model.edit { $0.username = v } })
                )
                .textContentType(.username)
                SecureField(
                    s(.signInPassword),
                    text: Binding(get: { state.value.password }, set: { v in model.edit { $0.password = v } })
                )
                .textContentType(.password)
            }
            if case let .error(error) = state.value.phase {
                ErrorText(error: error)
            }
            Button(s(.signIn)) { Task { await model.signIn() } }
                .disabled(state.value.phase == .signingIn)
        }
    }
}
