package org.lawcircle.ui

import org.lawcircle.ffi.Urgency
import org.lawcircle.ffi.Role
import org.lawcircle.ffi.OrderState
import org.lawcircle.ffi.NeedCategory
import org.lawcircle.ffi.FenceVerdict
import org.lawcircle.ffi.OutboxKind
import org.lawcircle.ffi.OutboxState
import org.lawcircle.ffi.PunchKind
import org.lawcircle.ffi.needCategories
import org.lawcircle.phone.ALREADY_RATED
import org.lawcircle.phone.TAKEN_BY_SOMEONE_ELSE
import org.lawcircle.phone.UiError
import java.time.Instant
import java.time.ZoneId
import java.time.format.DateTimeFormatter

// What users read instead of the core's codes. Every code the core or the
// server sends has its words here; an unknown one (a newer server) reads
// as a neutral phrase, never as the raw code.

/** The need categories' names, as the core names them (法律咨询, 纠纷调解…). */
private val categoryNames: Map<NeedCategory, String> by lazy { needCategories().associate { it.category to it.name } }

fun categoryName(category: NeedCategory): String = categoryNames[category] ?: "其他事项"

/** An order's state in words; none yet: waiting to be taken in. */
fun orderStateName(state: OrderState?): String = when (state) {
    null -> "待受理"
    OrderState.SUBMITTED -> "已提交"
    OrderState.OPEN -> "待接单"
    OrderState.CLAIMED -> "已接单"
    OrderState.ASSIGNED -> "已派单"
    OrderState.IN_PROGRESS -> "服务中"
    OrderState.RESOLVED -> "已办结"
    OrderState.EVALUATED -> "已评价"
    OrderState.CLOSED -> "已关闭"
    OrderState.TRANSFERRED -> "已转办"
    OrderState.ESCALATED -> "已上报"
    OrderState.CANCELLED -> "已取消"
}

fun urgencyName(urgency: Urgency): String = when (urgency) {
    Urgency.LOW -> "不急"
    Urgency.NORMAL -> "一般"
    Urgency.HIGH -> "较急"
    Urgency.URGENT -> "紧急"
}

val urgencies = Urgency.entries.toList()

fun verdictName(v: FenceVerdict): String = when (v) {
    FenceVerdict.INSIDE -> "在签到范围内"
    FenceVerdict.OUTSIDE -> "不在签到范围内"
    FenceVerdict.UNCERTAIN -> "位置不确定，将由站点工作人员核对"
}

/** Why the core decided so (its reason and flag codes) in words. */
fun reasonName(code: String): String = when (code) {
    "invalid_fix" -> "定位数据无效"
    "mock_location" -> "检测到模拟定位"
    "inside_fence" -> "位于值守点范围内"
    "within_margin" -> "在范围边缘，误差允许内"
    "partial_overlap" -> "定位误差圈与范围部分重叠"
    "outside_fence" -> "距离值守点太远"
    "accuracy_too_poor" -> "定位精度不足，请到开阔处再试"
    "stale_fix" -> "定位已过时，请等待新的定位"
    "fix_after_punch" -> "定位时间晚于打卡时间"
    "impossible_speed" -> "移动速度异常"
    "clock_skew" -> "手机时间与平台相差较大"
    "no_fence" -> "热线席位按班次签到，无需定位"
    "outside_shift" -> "不在值班时段内"
    "no_fix" -> "尚未获得定位"
    else -> "其他原因"
}

fun punchName(kind: PunchKind): String = when (kind) {
    PunchKind.IN -> "签到"
    PunchKind.OUT -> "签退"
}

fun outboxKindName(kind: OutboxKind): String = when (kind) {
    OutboxKind.NEED -> "需求登记"
    OutboxKind.ATTACHMENT -> "附件照片"
    OutboxKind.PUNCH -> "签到记录"
}

fun outboxStateName(state: OutboxState): String = when (state) {
    OutboxState.NOT_SENT -> "待发送"
    OutboxState.SENDING -> "发送中"
    OutboxState.SENT -> "已送达"
    OutboxState.FAILED -> "发送失败，稍后自动重试"
    OutboxState.WEDGED -> "被平台退回，需处理"
    OutboxState.DISCARDED -> "已放弃"
}

fun roleName(role: Role): String = when (role) {
    Role.RESIDENT -> "居民"
    Role.VOLUNTEER -> "志愿者"
    Role.LAWYER -> "律师"
    Role.STATION_STAFF -> "站点工作人员"
    Role.DISTRICT_ADMIN -> "区级管理员"
}

/** A form field as the core names it (`requester.phone`) in words. */
fun fieldName(field: String): String = when {
    field == "requester.name" -> "姓名"
    field == "requester.phone" || field == "phone" -> "手机号"
    field == "requester.id_number" -> "身份证号"
    field == "description" -> "情况说明"
    field == "location.address" -> "地址"
    field == "location.area_code" -> "所在村（社区）"
    field == "consent.given" -> "个人信息授权"
    field == "code" -> "验证码"
    field == "password" -> "密码"
    field == "display_name" -> "称呼"
    field == "score" -> "评分"
    field == "kinds" || field == "products" -> "筛选条件"
    field.startsWith("attachments") -> "附件"
    else -> "填写内容"
}

/** What to do about a problem the core found in a form field, Chinese first; the core's own reason follows. */
fun problemText(field: String, reason: String): String {
    val hint = when {
        field == "requester.name" -> "请填写姓名"
        field == "requester.phone" -> "请填写 11 位手机号"
        field == "requester.id_number" -> "身份证号不正确"
        field == "description" -> "请说明遇到的情况"
        field == "location.address" -> "请填写地址"
        field == "location.area_code" -> "请填写所在村（社区）"
        field == "consent.given" -> "需要您同意后才能提交"
        field.startsWith("attachments") -> "这张照片无法提交"
        else -> "请检查${fieldName(field)}"
    }
    return "$hint（$reason）"
}

/** The call found no connection (the presenters' mapping of the core's network error). */
fun isNetwork(error: UiError): Boolean = error.field == null && error.message.startsWith("No connection")

/** The heading of an error: what happened, in words. */
fun errorTitle(error: UiError): String = when {
    error.message == TAKEN_BY_SOMEONE_ELSE -> "已被他人抢单"
    error.message == ALREADY_RATED -> "这次服务已经评价过了"
    isNetwork(error) -> "无法连接平台，请检查网络"
    error.field != null -> "请检查：${fieldName(error.field!!)}"
    else -> "操作未成功"
}

/** A distance in metres the way people say it. */
fun metres(m: Double): String = if (m < 1000) "${m.toInt()} 米" else "%.1f 公里".format(m / 1000)

private val minuteFormat = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")

/**
 * An RFC 3339 time from the server (UTC) as the phone's clock shows it
 * (`2026-12-05T01:30:00Z` → `2026-12-05 09:30` in China); a time that does
 * not parse is shown to the minute as sent.
 */
fun shortTime(epochMs: Long): String =
    Instant.ofEpochMilli(epochMs).atZone(ZoneId.systemDefault()).format(minuteFormat)
