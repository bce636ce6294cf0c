// The Android build. Not built in this repository's CI (no Android SDK or
// Maven access there): see README.md. lawcircle-phone is the JVM module the
// test suite compiles with kotlinc; lawcircle-ui holds the Compose screens (also
// compiled and UI-tested here, against Compose desktop); app is the thin Android shell.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "lawcircle-android"
include(":lawcircle-phone", ":lawcircle-ui", ":app")
