package org.lawcircle.phone

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.launch
import org.lawcircle.ffi.Account
import org.lawcircle.ffi.LawCircleClient

/** Which top-level screen the app shows. */
sealed interface AppScreen {
    /** At launch, while a saved sign-in is restored (no network needed). */
    data object Starting : AppScreen

    /** Nobody is signed in (or the saved sign-in could not be restored). */
    data object SignIn : AppScreen

    /** Signed in: the role's home and everything under it, on [client]. */
    data class Signed(val account: Account, val home: Home, val client: LawCircleClient) : AppScreen
}

/** The app's session: the screen, and a sign-out waiting for the user's answer. */
data class SessionState(
    val screen: AppScreen = AppScreen.Starting,
    /**
     * Sign-out was asked while this many entries wait in the outbox:
     * the screen asks "discard them and sign out?" ([AppSession.signOut]
     * with `discardPending`) or lets the user go back ([AppSession.keepSignedIn]).
     */
    val unsentAtSignOut: ULong? = null,
    /** A sign-out that failed (the session store), in words. */
    val error: UiError? = null,
)

/**
 * What the app does around the session besides showing screens: the
 * Android glue (UnifiedPush, the duty service, the sync job) follows the
 * signed-in client.
 */
interface SessionHooks {
    /** [client] is signed in as [account]: push registration, the outbox watch. */
    fun signedIn(client: LawCircleClient, account: Account)

    /** About to sign out of [client] (the session still valid): unregister push, stop the duty service. */
    fun signingOut(client: LawCircleClient)

    /** Signed out; the client is closed. */
    fun signedOut()
}

/**
 * The app's top-level decisions, kept out of the Android glue so they are
 * tested on the JVM: at launch the sign-in screen unless a saved sign-in
 * restores; a sign-in opens the client and goes to the role's home; a
 * sign-out with unsent work asks first, then goes back to the sign-in
 * screen. The sign-in itself is [signIn]'s.
 */
class AppSession(
    val signIn: SignInPresenter,
    private val hooks: SessionHooks,
    scope: CoroutineScope,
    io: CoroutineDispatcher = Dispatchers.IO,
) : ScopedPresenter<SessionState>(SessionState(), scope, io) {
    private var announced: LawCircleClient? = null

    init {
        // A sign-in (typed, or restored at launch) leads to the role's home.
        this.scope.launch {
            signIn.state.collect { s ->
                val phase = s.phase
                val client = signIn.client
                if (phase is SignInPhase.SignedIn && client != null && announced !== client) {
                    announced = client
                    hooks.signedIn(client, phase.account)
                    updateState { SessionState(AppScreen.Signed(phase.account, phase.home, client)) }
                }
            }
        }
    }

    /**
     * At launch: restores a saved sign-in (the home, offline too), or
     * shows the sign-in screen. The job ends with the screen decided.
     */
    fun launch(): Job = intent {
        updateState { it.copy(screen = AppScreen.Starting) }
        signIn.restore().join()
        if (signIn.client == null) {
            updateState { it.copy(screen = AppScreen.SignIn) }
        } else {
            // The collector above sets the home; wait for it so the job ends with the screen decided.
            state.first { it.screen is AppScreen.Signed }
        }
    }

    /**
     * Signs out. With unsent needs or punches in the outbox and not
     * [discardPending], nothing is done and the state asks the user
     * ([SessionState.unsentAtSignOut]); the core refuses the same.
     */
    fun signOut(discardPending: Boolean = false): Job = intent {
        val signed = state.value.screen as? AppScreen.Signed ?: return@intent
        if (!discardPending) {
            val counts = blocking { signed.client.outboxCounts() }
            val unsent = counts.notSent + counts.sending + counts.failed + counts.wedged
            if (unsent > 0uL) {
                updateState { it.copy(unsentAtSignOut = unsent, error = null) }
                return@intent
            }
        }
        hooks.signingOut(signed.client)
        signIn.signOut(discardPending).join()
        if (signIn.client == null) {
            announced = null
            updateState { SessionState(AppScreen.SignIn) }
            hooks.signedOut()
        } else {
            // Refused by the core (more was queued meanwhile) or the session store failed: still signed in, said why.
            val error = signIn.state.value.error
            if (error?.field == "outbox") {
                val counts = blocking { signed.client.outboxCounts() }
                updateState { it.copy(unsentAtSignOut = counts.notSent + counts.sending + counts.failed + counts.wedged) }
            } else {
                updateState { it.copy(error = error) }
            }
            hooks.signedIn(signed.client, signed.account)
        }
    }

    /** The user chose not to discard: stays signed in (the outbox screen can send them). */
    fun keepSignedIn() = updateState { it.copy(unsentAtSignOut = null) }

    override fun close() {
        super.close()
        signIn.close()
    }
}
