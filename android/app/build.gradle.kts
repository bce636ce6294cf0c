// The Android app: the activity and the platform adapters around
// lawcircle-ui's screens and lawcircle-phone's presenters. Gradle is not run
// in CI here (no Android SDK, see ../README.md): src/main/kotlin is
// framework-only and is compiled and Robolectric-tested by
// scripts/suites/android-glue.sh; src/androidx/kotlin (the activity, over
// AndroidX and Compose) is compiled only by this file.
plugins {
    id("com.android.application")
    kotlin("android")
    id("org.jetbrains.kotlin.plugin.compose")
}

android {
    namespace = "org.lawcircle.app"
    compileSdk = 35
    defaultConfig {
        applicationId = "org.lawcircle.app"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
        ndk { abiFilters += listOf("arm64-v8a", "x86_64") }
    }
    buildTypes {
        release {
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }
    buildFeatures { compose = true }
    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
    // liblawcircle_ffi.so per ABI, from `cargo ndk` (README.md).
    sourceSets["main"].jniLibs.srcDir("src/main/jniLibs")
    // The AndroidX part (MainActivity), kept apart from the framework-only glue.
    sourceSets["main"].java.srcDir("src/androidx/kotlin")
    testOptions {
        unitTests.isIncludeAndroidResources = true
        unitTests.all {
            it.systemProperty("jna.library.path", rootProject.file("lawcircle-phone/build/native").path)
            it.systemProperty("lawcircle.server.bin", rootProject.file("../target/debug/lawcircle-server").path)
            it.systemProperty("lawcircle.seed.bin", rootProject.file("../target/debug/seed-people").path)
            it.systemProperty("lawcircle.repo", rootProject.file("..").path)
            // Robolectric closes a ParcelFileDescriptor (AttachmentProviderTest) through java.io.FileDescriptor's private field.
            it.jvmArgs("--add-opens", "java.base/java.io=ALL-UNNAMED")
        }
    }
}

// Kotlin 2.2+ refuses the old kotlinOptions block: the compiler options here.
kotlin {
    compilerOptions { jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_17) }
}

dependencies {
    implementation(project(":lawcircle-phone"))
    implementation(project(":lawcircle-ui"))
    implementation("net.java.dev.jna:jna:5.13.0@aar")
    implementation(platform("androidx.compose:compose-bom:2024.12.01"))
    implementation("androidx.compose.material3:material3")
    implementation("androidx.activity:activity-compose:1.9.3")
    implementation("androidx.lifecycle:lifecycle-runtime-compose:2.8.7")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.9.0")
    // The station-code scanner's QR decoder (no Play services); the same as android/app/zxing-deps.xml.
    implementation("com.google.zxing:core:3.5.3")
    // The same as android/app/robolectric-test-deps.xml (the suite here).
    testImplementation("org.robolectric:robolectric:4.17")
    testImplementation("junit:junit:4.13.2")
    testImplementation("net.java.dev.jna:jna:5.13.0")
    testImplementation(kotlin("test-junit"))
}
