package org.lawcircle.ui

import org.lawcircle.ffi.FenceVerdict
import org.lawcircle.ffi.FacilityKind
import org.lawcircle.ffi.NeedCategory
import org.lawcircle.ffi.ServiceProduct
import org.lawcircle.ffi.NeedStepKind
import org.lawcircle.ffi.OrderState
import org.lawcircle.ffi.OutboxKind
import org.lawcircle.ffi.OutboxState
import org.lawcircle.ffi.PunchKind
import org.lawcircle.ffi.Role
import org.lawcircle.ffi.Urgency
import org.lawcircle.ffi.Verdict
import org.lawcircle.phone.Home
import org.lawcircle.ffi.Calculator
import org.lawcircle.ffi.Termination
import org.lawcircle.phone.CalcFields
import org.lawcircle.phone.CalcOutcome

/** The screens in Chinese (the default). */
object ZhStrings : Strings {
    override val language = Language.ZH

    override val appTitle = "龙湾 15 分钟法律服务圈"
    override val offlineTitle = "当前离线"
    override val offlineKeepWorking = "可以继续登记和签到，内容保存在手机上，联网后自动发送。"
    override val networkRetryLater = "请稍后再试；保存在手机上的内容不会丢失。"
    override val refresh = "刷新"
    override val reading = "正在读取…"
    override val submitting = "正在提交…"
    override val checkingAndSaving = "正在检查并保存…"
    override val locating = "正在获取您的位置…"
    override val opening = "正在打开…"

    override fun category(category: NeedCategory, coreName: String?) = coreName ?: "其他事项"

    override fun product(product: ServiceProduct) = when (product) {
        ServiceProduct.LAWYER -> "律师服务"
        ServiceProduct.NOTARIZATION -> "公证"
        ServiceProduct.JUDICIAL_APPRAISAL -> "司法鉴定"
        ServiceProduct.ARBITRATION -> "仲裁"
        ServiceProduct.MEDIATION -> "调解"
        ServiceProduct.LEGAL_AID -> "法律援助"
        ServiceProduct.GRASSROOTS_LEGAL_SERVICE -> "基层法律服务"
        ServiceProduct.LEGAL_EDUCATION -> "法治宣传教育"
    }

    override fun facilityKind(kind: FacilityKind) = when (kind) {
        FacilityKind.SERVICE_CENTER -> "公共法律服务中心/站点"
        FacilityKind.SMART_TERMINAL -> "智能终端设备"
        FacilityKind.GUIDE_BOARD -> "线上线下融合服务指引牌"
        FacilityKind.LAW_FIRM -> "律师事务所"
        FacilityKind.GRASSROOTS_LEGAL_SERVICE_OFFICE -> "基层法律服务所"
        FacilityKind.NOTARY_OFFICE -> "公证机构"
        FacilityKind.JUDICIAL_APPRAISAL_INSTITUTION -> "司法鉴定机构"
        FacilityKind.ARBITRATION_INSTITUTION -> "仲裁机构"
        FacilityKind.MEDIATION_ORGANIZATION -> "调解组织"
        FacilityKind.JUDICIAL_OFFICE -> "司法所"
        FacilityKind.LEGAL_AID_INSTITUTION -> "法律援助机构"
        FacilityKind.LEGAL_EDUCATION_SITE -> "法治宣传教育阵地"
        FacilityKind.ADMINISTRATIVE_RECONSIDERATION_POINT -> "行政复议代收点"
    }

    override fun orderState(state: OrderState?) = when (state) {
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

    override fun urgency(urgency: Urgency) = when (urgency) {
        Urgency.LOW -> "不急"
        Urgency.NORMAL -> "一般"
        Urgency.HIGH -> "较急"
        Urgency.URGENT -> "紧急"
    }

    override fun verdict(v: FenceVerdict) = when (v) {
        FenceVerdict.INSIDE -> "在签到范围内"
        FenceVerdict.OUTSIDE -> "不在签到范围内"
        FenceVerdict.UNCERTAIN -> "位置不确定，将由站点工作人员核对"
    }

    override fun reason(code: String) = when (code) {
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

    override fun punch(kind: PunchKind) = when (kind) {
        PunchKind.IN -> "签到"
        PunchKind.OUT -> "签退"
    }

    override fun outboxKind(kind: OutboxKind) = when (kind) {
        OutboxKind.NEED -> "需求登记"
        OutboxKind.ATTACHMENT -> "附件照片"
        OutboxKind.PUNCH -> "签到记录"
    }

    override fun outboxState(state: OutboxState) = when (state) {
        OutboxState.NOT_SENT -> "待发送"
        OutboxState.SENDING -> "发送中"
        OutboxState.SENT -> "已送达"
        OutboxState.FAILED -> "发送失败，稍后自动重试"
        OutboxState.WEDGED -> "被平台退回，需处理"
        OutboxState.DISCARDED -> "已放弃"
    }

    override fun role(role: Role) = when (role) {
        Role.RESIDENT -> "居民"
        Role.VOLUNTEER -> "志愿者"
        Role.LAWYER -> "律师"
        Role.STATION_STAFF -> "站点工作人员"
        Role.DISTRICT_ADMIN -> "区级管理员"
    }

    override fun field(field: String) = when {
        field == "requester.name" -> "姓名"
        field == "requester.phone" || field == "phone" -> "手机号"
        field == "requester.id_number" -> "身份证号"
        field == "description" -> "情况说明"
        field == "location.address" -> "地址"
        field == "location.area_code" -> "所在村（社区）"
        field == "consent.given" -> "个人信息授权"
        field == "code" -> "验证码"
        field == "password" -> "密码"
        field == "username" -> "用户名或手机号"
        field == "server_url" -> "平台地址"
        field == "outbox" -> "待发送的内容"
        field == "display_name" -> "称呼"
        field == "score" -> "评分"
        field == "kinds" || field == "products" -> "筛选条件"
        field.startsWith("attachments") -> "附件"
        else -> "填写内容"
    }

    override fun problem(field: String, reason: String): String {
        val hint = when {
            field == "requester.name" -> "请填写姓名"
            field == "requester.phone" -> "请填写 11 位手机号"
            field == "requester.id_number" -> "身份证号不正确"
            field == "description" -> "请说明遇到的情况"
            field == "location.address" -> "请填写地址"
            field == "location.area_code" -> "请填写所在村（社区）"
            field == "consent.given" -> "需要您同意后才能提交"
            field.startsWith("attachments") -> "这张照片无法提交"
            else -> "请检查${this.field(field)}"
        }
        return "$hint（$reason）"
    }

    override fun assessment(verdict: Verdict) = when (verdict) {
        Verdict.ELIGIBLE -> "初步符合法律援助条件"
        Verdict.LIKELY -> "可能符合，需进一步审查"
        Verdict.NOT_ELIGIBLE -> "初步看不符合条件"
    }

    override fun home(home: Home) = when (home) {
        Home.RESIDENT -> "居民首页"
        Home.VOLUNTEER -> "志愿者首页"
        Home.LAWYER -> "律师首页"
        Home.CONSOLE -> "居民首页（管理工作请使用网页工作台）"
    }

    override val takenBySomeoneElse = "已被他人抢单"
    override val alreadyRated = "这次服务已经评价过了"
    override val cannotReachPlatform = "无法连接平台，请检查网络"
    override fun checkField(name: String) = "请检查：$name"
    override val notDone = "操作未成功"
    override fun metres(m: Double) = if (m < 1000) "${m.toInt()} 米" else "%.1f 公里".format(m / 1000)

    override fun destinationTitle(d: Destination) = when (d) {
        Destination.SignIn -> "注册 / 登录"
        Destination.FindNearest -> "就近查找"
        Destination.NewNeed -> "登记需求"
        Destination.Applications -> "线上申请"
        Destination.MyNeeds -> "我的需求"
        Destination.ClockIn -> "值守签到"
        Destination.Offers -> "接单"
        Destination.Outbox -> "待发送"
        Destination.Calculators -> "赔偿计算"
        Destination.Drafts -> "草稿箱"
    }

    override fun destinationHint(d: Destination) = when (d) {
        Destination.SignIn -> "用手机号和短信验证码"
        Destination.FindNearest -> "步行 15 分钟内的法律服务点"
        Destination.NewNeed -> "说说您遇到的法律问题"
        Destination.Applications -> "法律援助、调解等申请表"
        Destination.MyNeeds -> "办理进度与服务评价"
        Destination.ClockIn -> "到岗签到、离岗签退"
        Destination.Offers -> "附近的咨询，抢单与派单"
        Destination.Outbox -> "离线保存的内容，联网后自动发送"
        Destination.Calculators -> "人身损害、交通事故、工伤、经济补偿，离线可用"
        Destination.Drafts -> "没填完的登记，继续填写或删除"
    }

    override val signedOut = "未登录"
    override fun who(name: String, role: Role) = "$name（${this.role(role)}）"
    override fun pendingBadge(n: ULong) = "（$n 条待发送）"
    override val signOut = "退出登录"
    override fun unsentAtSignOut(n: ULong) = "还有 $n 条内容没有发送"
    override val unsentAtSignOutDetail = "退出登录会丢弃这些内容。可以先到“待发送”联网发送。"
    override val discardAndSignOut = "丢弃并退出"
    override val keepSignedIn = "暂不退出"
    override val languageSetting = "语言 Language"

    override fun starsLine(stars: Int) = "★".repeat(stars) + "☆".repeat(5 - stars) + "  $stars 星志愿者"
    override fun dutyHoursLine(total: Double, month: Double) = "累计值守 %.1f 小时 · 本月 %.1f 小时".format(total, month)
    override fun toNextStar(hours: Double, next: Int) = "再值守 %.1f 小时升至 $next 星".format(hours)
    override val topStar = "已是最高星级"

    override val signInTitle = "账号登录"
    override val serverAddress = "平台地址"
    override val scanStationCode = "扫描服务站二维码"
    override val usernameOrPhone = "用户名或手机号"
    override val password = "密码"
    override val signingIn = "正在登录…"
    override val signIn = "登录"
    override fun welcome(name: String) = "欢迎，$name"
    override fun signedInAs(role: Role, home: Home) = "已登录为${this.role(role)}，进入${this.home(home)}。"

    override val register = "注册"
    override val smsSignIn = "验证码登录"
    override val smsSubtitle = "用本人手机号接收短信验证码"
    override val phone = "手机号"
    override val code = "验证码"
    override val getCode = "获取验证码"
    override val getCodeAgain = "重新获取"
    override val codeSent = "验证码已发送"
    override fun codeValid(until: String, resendSecs: Long) = "$until 前有效，$resendSecs 秒后可重新获取。"
    override val displayName = "怎么称呼您"
    override val optionalPassword = "密码（可不填，之后用验证码登录）"
    override val pleaseWait = "请稍候…"
    override val registerAndSignIn = "注册并登录"
    override fun signedInAsRole(role: Role) = "已登录为${this.role(role)}。"

    override val findTitle = "就近查找"
    override fun placesOnPhone(n: Long) = "手机中有 $n 个服务点"
    override val catalogue = "服务点目录"
    override fun coverage(covered: Long, total: Long) = "步行 15 分钟内可办 $covered / $total 类服务"
    override val updateCatalogue = "更新目录"
    override val updatingCatalogue = "正在更新服务点目录…"
    override val offlineCatalogue = "显示手机中保存的服务点目录，距离照常计算。"
    override val searchingNearby = "正在查找附近的服务点…"
    override val searchAgain = "重新查找"
    override val noPlaces = "附近没有符合条件的服务点"
    override val noPlacesHint = "可以取消筛选，或更新目录后再试"
    override val walkEstimated = "步行距离为估算值"
    override fun walk(distance: String, minutes: Long?, withinCircle: Boolean) =
        "步行 $distance" + (minutes?.let { "，约 $it 分钟" } ?: "") + if (withinCircle) "（15 分钟圈内）" else ""
    override fun call(phone: String) = "打电话 $phone"
    override val navigate = "导航"
    override val openNow = "营业中"
    override val closedNow = "休息中"
    override fun openingHours(hours: String) = "开放时间：$hours"
    override fun openingExceptions(text: String) = "特殊安排：$text"

    override val clockInTitle = "值守签到"
    override fun accuracy(m: Int?) = "定位精度 ±${m ?: "—"} 米"
    override val gettingFix = "正在获取定位…"
    override fun checkNow(verdict: String) = "现在签到：$verdict"
    override val recording = "正在记录…"
    override val choosePost = "选择值守点"
    override val updatePosts = "更新值守点"
    override val updatingPosts = "正在更新值守点…"
    override val noPosts = "手机中还没有值守点"
    override val noPostsHint = "联网后点“更新值守点”"
    override val hotlineDesk = "热线席位，按班次签到"
    override val distanceUnknown = "距离未知"
    override val insideFence = "您在范围内"
    override fun toFence(distance: String) = "距签到范围 $distance"
    override fun punchRecorded(kind: String, accepted: Boolean) = kind + if (accepted) "已记录" else "未通过"
    override fun flaggedForStaff(reasons: String) = "已提醒站点核对：$reasons"
    override val punchSavedOffline = "当前离线，记录已保存在手机上，联网后自动发送。"
    override val punchSubmitted = "记录已提交平台。"
    override val listSeparator = "；"

    override val newNeedTitle = "登记需求"
    override val newNeedSubtitle = "保存在手机上，联网后自动发送"
    override val saved = "已保存"
    override val savedDetail = "需求已存入待发送，联网后自动送达，可在“我的需求”查看进度。"
    override val another = "再登记一条"
    override val name = "姓名"
    override val idNumberOptional = "身份证号（选填）"
    override val whichService = "需要什么服务"
    override val urgencyTitle = "紧急程度"
    override val description = "情况说明"
    override val address = "地址"
    override val areaCode = "村（社区）代码"
    override val villageFromGps = "用当前位置确定村（社区）"
    override val searchVillage = "搜索村（社区）名称"
    override fun villagePicked(name: String, street: String) = "所在村（社区）：$name（$street）"
    override val changeVillage = "更换"
    override fun photo(index: Int, kb: Long, problem: String?) = "照片 $index：$kb KB" + (problem?.let { "（$it）" } ?: "")
    override val remove = "移除"
    override val addPhoto = "添加照片"
    override val consent = "我同意为办理本事项处理我的个人信息"
    override fun problemsLeft(n: Int) = "还有 $n 处需要修改"
    override val submit = "提交"

    override val outboxTitle = "待发送"
    override fun outboxCounts(pending: ULong, wedged: ULong, sent: ULong) = "待发送 $pending 条 · 需处理 $wedged 条 · 已送达 $sent 条"
    override val sendNow = "立即发送"
    override val sending = "正在发送…"
    override val offlineOutbox = "内容都保存在手机上，不会丢失；联网后会自动发送。"
    override fun syncSent(n: ULong) = "本次送达 $n 条"
    override fun syncPending(n: ULong) = "仍待发送 $n 条"
    override val outboxEmpty = "没有待发送的内容"
    override val outboxEmptyHint = "离线登记的需求和签到会出现在这里"
    override fun attempts(n: UInt) = "（已尝试 $n 次）"
    override fun because(why: String) = "原因：$why"
    override val sendAgain = "重新发送"
    override val discard = "放弃"

    override val offersTitle = "接单"
    override val live = "实时接收中"
    override val connecting = "正在连接平台…"
    override val disconnected = "与平台的连接已断开"
    override val disconnectedDetail = "正在自动重连；也可以下拉刷新。"
    override val dispatchedToMe = "派给我的"
    override val accept = "接受"
    override val decline = "婉拒"
    override val declineReasonBusy = "时间冲突"
    override val nearbyRequests = "附近的咨询"
    override val noOffers = "附近暂时没有新的咨询"
    override val noOffersHint = "有新的咨询时会立即出现在这里"
    override val grabbing = "抢单中…"
    override val grab = "抢单"
    override val urgentMark = "（紧急）"
    override fun submittedAt(time: String) = "$time 提交"
    override fun respondBy(time: String) = "请于 $time 前响应"
    override fun myOrder(category: String) = "我的订单：$category"
    override fun stateIs(state: String) = "状态：$state"
    override val startService = "开始服务"
    override val resolveNote = "办结说明（做了什么）"
    override val resolve = "办结"
    override val showRatingCode = "出示评价二维码"

    override val myNeedsTitle = "我的需求"
    override val myNeedsSubtitle = "办理进度与服务评价"
    override fun needCount(n: Int, toRate: Int) = if (toRate == 0) "共 $n 件" else "共 $n 件，$toRate 件待评价"
    override val progress = "办理进度"
    override val noNeeds = "还没有提交过需求"
    override val noNeedsHint = "在首页点“登记需求”，或到附近的服务点咨询"
    override fun receivedAt(time: String) = "$time 受理"
    override val rate = "去评价"

    override val ratingTitle = "服务评价"
    override val ratingSubtitle = "您的评价帮助我们改进服务"
    override val thanks = "感谢您的评价"
    override fun ratedDetail(stars: Int, state: String) = "已评 $stars 星。这次服务已记为“$state”。"
    override val satisfied = "这次服务您满意吗？"
    override fun stars(n: Int) = "$n 星"
    override val scoreWords = listOf("很不满意", "不满意", "一般", "满意", "非常满意")
    override val commentOptional = "说说您的感受（选填）"
    override val submitRating = "提交评价"

    override val ratingCodeTitle = "服务评价二维码"
    override val ratingCodeSubtitle = "请服务对象用手机扫码评价"
    override val generatingCode = "正在生成二维码…"
    override val noCode = "还没有二维码"
    override val noCodeHint = "点下面的按钮生成"
    override fun validUntilOnce(time: String) = "有效期至 $time，只能评价一次"
    override val generateCode = "生成二维码"
    override val regenerate = "重新生成"
    override val ratingCodeDescription = "评价二维码"

    override val applicationsTitle = "线上申请"
    override val applicationsSubtitle = "选择要办理的事项"
    override val readingForms = "正在读取申请事项…"
    override val offlineForms = "显示手机中保存的申请表，填好后联网自动提交。"
    override val noForms = "手机中还没有申请表"
    override val noFormsHint = "联网后点“更新”"
    override val update = "更新"
    override val applicationSaved = "申请已保存"
    override val applicationSavedDetail = "已存入待发送，联网后自动提交；可在“我的需求”查看进度。"
    override fun preAssessment(verdict: String) = "预审：$verdict"
    override val finalDecision = "最终由法律援助机构审查决定。"
    override val documentsNeeded = "还需准备的材料"
    override fun documentAtHand(name: String) = "$name（我已备好）"
    override val contactMissing = "联系信息需要补充"
    override val submitApplication = "提交申请"
    override val backToForms = "返回事项列表"

    override val orderDetailTitle = "订单详情"
    override val orderDetailOffline = "订单详情需要联网查看；恢复网络后点“重新查找”。"
    override val place = "地点"
    override fun labelled(label: String, value: String) = "$label：$value"
    override fun attachmentsTitle(n: Int) = if (n == 0) "没有附件" else "附件（$n）"
    override fun fileKind(contentType: String) = when {
        contentType.startsWith("image/") -> "照片"
        contentType == "application/pdf" -> "PDF 文件"
        else -> "文件"
    }
    override val download = "下载"
    override val downloading = "正在下载…"
    override val open = "打开"
    override val requesterContact = "当事人联系方式"
    override val contactAudited = "查看联系方式会被记录，请写明原因。"
    override val contactReason = "查看原因（如：电话联系当事人）"
    override val showContact = "查看联系方式"

    override val calcTitle = "赔偿计算"
    override val calcSubtitle = "按浙江省统计数据离线估算，仅供参考"
    override fun calculatorName(c: Calculator) = when (c) {
        Calculator.PERSONAL_INJURY -> "人身损害"
        Calculator.TRAFFIC_ACCIDENT -> "交通事故"
        Calculator.WORK_INJURY -> "工伤待遇"
        Calculator.SEVERANCE -> "经济补偿"
    }

    override fun calcYear(year: UShort) = "${year}年"

    override val calcNoYears = "参数表中没有本计算器可用的统计年度"

    override fun calcField(field: String) = when (field) {
        CalcFields.YEAR -> "统计年度"
        CalcFields.AGE -> "受害人年龄（周岁）"
        CalcFields.GRADE -> "伤残等级（1–10 级）"
        CalcFields.DEPENDANT_AGE -> "被扶养人年龄（选填）"
        CalcFields.DEPENDANT_OBLIGED -> "扶养义务人人数（含受害人）"
        CalcFields.FAULT_SHARE -> "对方责任比例（%）"
        CalcFields.PROPERTY_LOSS -> "财产损失（元，选填）"
        CalcFields.MONTHLY_WAGE -> "本人月平均工资（元）"
        CalcFields.MONTHS_OF_SERVICE -> "工作年限（月）"
        CalcFields.LAST_MONTH_WAGE -> "上个月工资（元）"
        "items.medical" -> "医疗费（元）"
        "items.lost_wages" -> "误工费（元）"
        "items.nursing" -> "护理费（元）"
        "items.hospital_meals" -> "住院伙食补助费（元）"
        "items.nutrition" -> "营养费（元）"
        "items.transport" -> "交通费（元）"
        "items.lodging" -> "住宿费（元）"
        "items.appraisal" -> "鉴定费（元）"
        "items.assistive_devices" -> "残疾辅助器具费（元）"
        "items.mental_solatium" -> "精神损害抚慰金（元）"
        "dependants" -> "被扶养人"
        else -> "填写内容"
    }
    override fun calcProblem(field: String, reason: String) = when (field) {
        CalcFields.YEAR -> "该年度没有统计数据或年度不正确（$reason）"
        "dependants" -> "仅伤残或死亡时计算被扶养人生活费（$reason）"
        else -> "请检查${calcField(field).substringBefore('（')}（$reason）"
    }
    override val calcOutcomeHeading = "损害后果"
    override fun calcOutcome(o: CalcOutcome) = when (o) {
        CalcOutcome.INJURY -> "受伤（未评残）"
        CalcOutcome.DISABILITY -> "伤残"
        CalcOutcome.DEATH -> "死亡"
    }
    override val calcDependantHeading = "被扶养人"
    override val calcTerminationHeading = "解除方式"
    override fun termination(t: Termination) = when (t) {
        Termination.LAWFUL -> "依法解除（N）"
        Termination.LAWFUL_IN_LIEU_OF_NOTICE -> "未提前通知（N+1）"
        Termination.UNLAWFUL -> "违法解除（2N）"
    }
    override val calcItemsHeading = "赔偿项目"
    override val calcPaymentsHeading = "由谁支付"
    override val calculate = "计算"
    override val calculating = "正在计算…"
    override val calcEmptyHint = "填写后点“计算”，不联网也能算。结果仅供参考，不构成法律意见。"
    override val calcEdit = "修改填写内容"
    override fun calcTotal(amount: String) = "合计 ${yuan(amount)}"
    override fun calcItemsTotal(amount: String) = "各项目合计 ${yuan(amount)}"
    override fun yuan(amount: String) = "$amount 元"
    override val legalBasis = "法律依据"
    override val calcNotes = "说明"
    override val placePhone = "电话"
    override val callShort = "打电话"
    override val placeProducts = "服务项目"
    override val placeHours = "开放时间"
    override val readingHours = "正在读取开放时间…"
    override val hoursUnreadable = "开放时间无法识别"
    override fun todayHours(spans: String) = "今天：$spans"
    override fun weekday(n: Int) = when (n) {
        1 -> "周一"
        2 -> "周二"
        3 -> "周三"
        4 -> "周四"
        5 -> "周五"
        6 -> "周六"
        7 -> "周日"
        else -> ""
    }
    override fun spans(spans: List<String>) = if (spans.isEmpty()) "休息" else spans.joinToString("、")
    override val adjustedMark = "（调整）"
    override val upcomingExceptions = "近期节假日调整"
    override val noUpcomingExceptions = "近期没有调整"
    override fun exceptionLine(date: String, weekday: String, spans: String) = "$date $weekday：$spans"
    override val noMapApp = "手机上没有可导航的地图应用"
    override val placeDetails = "详情"
    override val itemSeparator = "、"
    override val signInWithPassword = "用密码登录"
    override val signInWithSmsCode = "用短信验证码登录"
    override val registerWithSmsCode = "还没有账号？用手机号注册"
    override val draftsTitle = "草稿箱"
    override val draftsSubtitle = "没填完的需求登记保存在手机里"
    override fun draftCount(n: Int) = "手机里有 $n 份草稿"
    override val draftsOnPhone = "保存在本机的草稿"
    override val noDrafts = "没有草稿"
    override val noDraftsHint = "登记需求时点“存草稿”，可以以后再填完提交"
    override val draftNoName = "（未填姓名）"
    override fun draftSavedAt(time: String, files: Int) = "$time 保存" + if (files > 0) " · $files 个附件" else ""
    override val discardDraftQuestion = "删除这份草稿？"
    override val discardDraftDetail = "填写的内容和照片都会删除，无法恢复。"
    override val keepDraft = "保留"
    override val discardDraft = "删除草稿"
    override val resumeDraft = "继续填写"
    override val saveDraft = "存草稿"
    override val draftSaved = "草稿已保存"
    override val draftSavedDetail = "可以在“草稿箱”里继续填写。"
    override val pushTitle = "通知推送"
    override val pushSubtitle = "关闭应用后，用哪个推送应用接收新单和办理进度"
    override fun pushUsing(app: String) = "通过“$app”接收通知"
    override val pushUsingDetail = "关闭本应用后，新单和办理进度也会通知您。"
    override val pushChange = "更换推送应用"
    override val pushChooseTitle = "手机上装有多个推送应用，请选择一个"
    override val pushChooseHint = "选择会被记住，以后不再询问。"
    override val pushNone = "手机上没有推送应用"
    override val pushNoneDetail = "关闭本应用后收不到通知。值守期间应用会保持连接，新单照常送达；如需关闭后也能收到，请安装支持 UnifiedPush 的推送应用（如 ntfy）。"
    override val pushLookAgain = "重新检查"
    override val pushNeedsChoice = "尚未选择推送应用"
    override val pushNeedsChoiceDetail = "手机上装有多个推送应用，请选择一个，关闭本应用后也能收到新单和办理进度。"
    override val pushChooseNow = "选择推送应用"
    override val needHistory = "办理经过"
    override fun needStep(what: NeedStepKind) = when (what) {
        NeedStepKind.RECEIVED -> "已受理"
        NeedStepKind.OPENED -> "待志愿者接单"
        NeedStepKind.GRABBED -> "志愿者已接单"
        NeedStepKind.DISPATCHED -> "工作站已派单"
        NeedStepKind.ACCEPTED -> "已接手办理"
        NeedStepKind.DECLINED -> "已退回，重新等待"
        NeedStepKind.STARTED -> "开始服务"
        NeedStepKind.TRANSFERRED -> "已转办"
        NeedStepKind.ESCALATED -> "已转热线"
        NeedStepKind.RESOLVED -> "已办结"
        NeedStepKind.RATED -> "您已评价"
        NeedStepKind.CLOSED -> "已归档"
        NeedStepKind.CANCELLED -> "已撤销"
    }
}
