package org.lawcircle.phone

/** An installed UnifiedPush distributor: its package and the name the phone shows for it. */
data class PushDistributor(val packageName: String, val label: String)

/** How offers reach a closed app on this phone. */
sealed interface PushRoute {
    /** Through this distributor (the one chosen before, or the only one installed). */
    data class Use(val distributor: PushDistributor) : PushRoute

    /** Several are installed and none chosen (or the chosen one was removed): the user picks. */
    data class Choose(val installed: List<PushDistributor>) : PushRoute

    /**
     * None installed: no notifications while the app is closed; offers come
     * over the live stream while the app or the duty service is open (on duty).
     */
    data object LiveStreamOnly : PushRoute
}

/** What the distributor chooser shows. */
data class PushDistributorState(
    val route: PushRoute = PushRoute.LiveStreamOnly,
    /** The package chosen and kept (may no longer be installed). */
    val chosen: String? = null,
) {
    /** The distributor to register with now; null while the user must choose, or with none installed. */
    val distributor: PushDistributor? get() = (route as? PushRoute.Use)?.distributor

    /** The user must answer (several installed, none picked): the home offers the chooser. */
    val needsChoice: Boolean get() = route is PushRoute.Choose
}

/**
 * Where the app keeps the user's distributor choice (private preferences
 * in the app), so it is asked once, not at every sign-in.
 */
interface DistributorChoiceStore {
    fun load(): String?

    fun save(packageName: String?)
}

/**
 * Picks the UnifiedPush distributor: the one chosen before while it is
 * installed, else the only one installed, else the user chooses among
 * several (and the choice is kept); with none, says so (the live stream
 * while on duty is what remains). The Android glue lists the installed
 * distributors ([installed], read again by [refresh] when the app
 * resumes) and registers with the one [PushRoute.Use] names.
 */
class PushDistributorPresenter(
    private val store: DistributorChoiceStore,
    private val installed: () -> List<PushDistributor>,
) : Presenter<PushDistributorState>(PushDistributorState()) {
    init {
        refresh()
    }

    /** Reads the installed distributors again (one may have been installed or removed meanwhile). */
    fun refresh() {
        val chosen = store.load()
        updateState { PushDistributorState(route(installed(), chosen), chosen) }
    }

    /**
     * The user picked [packageName] from the list: kept, and used. A
     * package that is not (or no longer) installed changes nothing.
     */
    fun choose(packageName: String) {
        val list = installed()
        if (list.none { it.packageName == packageName }) {
            updateState { it.copy(route = route(list, it.chosen)) }
            return
        }
        store.save(packageName)
        updateState { PushDistributorState(route(list, packageName), packageName) }
    }

    /** Asks again: forgets the choice (a settings entry "change the push app"). */
    fun changeChoice() {
        store.save(null)
        refresh()
    }

    companion object {
        /** The rule, on its own: chosen and installed, else the only one, else choose, else none. */
        fun route(installed: List<PushDistributor>, chosen: String?): PushRoute {
            val list = installed.distinctBy { it.packageName }.sortedWith(compareBy(String.CASE_INSENSITIVE_ORDER) { it.label })
            list.firstOrNull { it.packageName == chosen }?.let { return PushRoute.Use(it) }
            return when (list.size) {
                0 -> PushRoute.LiveStreamOnly
                1 -> PushRoute.Use(list.single())
                else -> PushRoute.Choose(list)
            }
        }
    }
}
