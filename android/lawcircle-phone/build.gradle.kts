// The JVM module: generated bindings + presenters. The same sources are
// compiled and tested by scripts/suites/kotlin.sh with kotlinc; this file
// lets Android Studio and Gradle build them too. Run scripts/build-bindings
// first: it writes build/generated and build/native.
plugins {
    kotlin("jvm")
}

kotlin {
    jvmToolchain(17)
    sourceSets["main"].kotlin.srcDir("build/generated")
}

dependencies {
    // The app brings the Android flavour of JNA (jna@aar).
    compileOnly("net.java.dev.jna:jna:5.13.0")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-core:1.9.0")
    // The library's HTTP (OkHttpTransport); the same versions as
    // okhttp-deps.xml, which the kotlinc suites resolve.
    api("com.squareup.okhttp3:okhttp:5.5.1")
    testImplementation("com.squareup.okhttp3:okhttp-tls:5.5.1")
    testImplementation("net.java.dev.jna:jna:5.13.0")
    testImplementation(kotlin("test-junit5"))
    testImplementation("org.junit.jupiter:junit-jupiter:5.9.1")
}

tasks.test {
    useJUnitPlatform()
    systemProperty("jna.library.path", file("build/native").path)
    systemProperty(
        "lawcircle.server.bin",
        rootProject.file("../target/debug/lawcircle-server").path,
    )
    systemProperty("lawcircle.seed.bin", rootProject.file("../target/debug/seed-people").path)
    systemProperty("lawcircle.repo", rootProject.file("..").path)
}
