package org.lawcircle.ui

import org.lawcircle.ffi.Urgency
import org.lawcircle.ffi.NeedCategory
import org.lawcircle.ffi.needCategories
import org.lawcircle.phone.ALREADY_RATED
import org.lawcircle.phone.TAKEN_BY_SOMEONE_ELSE
import org.lawcircle.phone.UiError
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter

// What users read instead of the core's codes. Every code the core or the
// server sends has its words here; an unknown one (a newer server) reads
// as a neutral phrase, never as the raw code. The words themselves are in
// the strings tables (StringsZh.kt, StringsEn.kt), one per language.

/** The need categories' names, as the core names them (法律咨询, 纠纷调解…). */
private val categoryNames: Map<NeedCategory, String> by lazy { needCategories().associate { it.category to it.name } }

/** A need category in words: the core's Chinese name, or this table's. */
fun Strings.categoryName(category: NeedCategory): String = category(category, categoryNames[category])

val urgencies = Urgency.entries.toList()

/** The call found no connection (the presenters' mapping of the core's network error). */
fun isNetwork(error: UiError): Boolean = error.field == null && error.message.startsWith("No connection")

/** The heading of an error: what happened, in words. */
fun Strings.errorTitle(error: UiError): String = when {
    error.message == TAKEN_BY_SOMEONE_ELSE -> takenBySomeoneElse
    error.message == ALREADY_RATED -> alreadyRated
    isNetwork(error) -> cannotReachPlatform
    error.field != null -> checkField(field(error.field!!))
    else -> notDone
}

private val minuteFormat = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")

/**
 * An RFC 3339 time from the server (UTC) as the phone's clock shows it
 * (`2026-12-05T01:30:00Z` → `2026-12-05 09:30` in China); a time that does
 * not parse is shown to the minute as sent.
 */
fun shortTime(epochMs: Long): String =
    Instant.ofEpochMilli(epochMs).atZone(ZoneId.systemDefault()).format(minuteFormat)
