package org.lawcircle.phone

import java.time.LocalDate
import java.time.ZoneId
import java.time.format.DateTimeParseException

/**
 * The days a place's hours differ (`NearbyPlace.openingExceptions`, e.g.
 * `2025-10-01 off; 2025-10-11 08:30-12:00`), cut to those a resident can
 * still use: today's and later ones. The catalogue keeps past holidays;
 * showing them in full buries the one that matters.
 */
object OpeningExceptions {
    /** China time: the catalogue's dates are Longwan's days. */
    val CHINA: ZoneId = ZoneId.of("Asia/Shanghai")

    fun today(): LocalDate = LocalDate.now(CHINA)

    /**
     * The entries of [text] dated [today] or later, in the same form; an
     * entry whose date cannot be read is kept (better shown than lost).
     */
    fun upcoming(text: String, today: LocalDate = today()): String =
        text.split(';')
            .map { it.trim() }
            .filter { it.isNotEmpty() }
            .filter { entry ->
                val date = try {
                    LocalDate.parse(entry.substringBefore(' '))
                } catch (_: DateTimeParseException) {
                    null
                }
                date == null || !date.isBefore(today)
            }
            .joinToString("; ")
}
