// The phone screens: Compose over lawcircle-phone's presenter states, no
// android.* imports. Android builds it with Jetpack Compose; this
// repository's CI compiles the same sources with kotlinc and the Compose
// compiler plugin against the Compose Multiplatform desktop artifacts
// (desktop-test-deps.xml) and runs src/desktopTest there
// (scripts/suites/android-ui.sh). src/desktopTest is not an Android source
// set: Gradle does not build it.
plugins {
    id("com.android.library")
    kotlin("android")
    id("org.jetbrains.kotlin.plugin.compose")
}

android {
    namespace = "org.lawcircle.ui"
    compileSdk = 35
    defaultConfig { minSdk = 26 }
    buildFeatures { compose = true }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

// Kotlin 2.2+ refuses the old kotlinOptions block: the compiler options here.
kotlin {
    compilerOptions { jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17) }
}

dependencies {
    // The screens take the presenters' state types: part of this module's API.
    api(project(":lawcircle-phone"))
    implementation(platform("androidx.compose:compose-bom:2024.12.01"))
    implementation("androidx.compose.material3:material3")
    implementation("androidx.compose.foundation:foundation")
}
