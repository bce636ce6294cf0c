// Kotlin 2.4.20 everywhere: the same compiler the tests here use
// (scripts/lib/mobile-tools.sh, KOTLIN_VERSION).
plugins {
    id("com.android.application") version "8.7.3" apply false
    id("com.android.library") version "8.7.3" apply false
    kotlin("android") version "2.4.20" apply false
    kotlin("jvm") version "2.4.20" apply false
    id("org.jetbrains.kotlin.plugin.compose") version "2.4.20" apply false
}
