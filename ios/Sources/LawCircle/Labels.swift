import LawCircleFFI

// What users read instead of the library's codes, in the user's language
// (Chinese by default): each enum case has its words here, and a new case
// is a compile error, never a raw code shown.

/// A need category's name: in Chinese as the library names it (法律咨询,
/// 纠纷调解…), in English from the app's table.
public func categoryName(_ category: NeedCategory, _ strings: Strings = Strings(.chinese)) -> String {
    if strings.language == .chinese, let name = needCategories().first(where: { $0.category == category })?.name {
        return name
    }
    switch category {
    case .consultation: return strings(.categoryConsultation)
    case .mediation: return strings(.categoryMediation)
    case .legalAid: return strings(.categoryLegalAid)
    case .notarization: return strings(.categoryNotarization)
    case .judicialAppraisal: return strings(.categoryJudicialAppraisal)
    case .arbitration: return strings(.categoryArbitration)
    case .administrativeReconsideration: return strings(.categoryAdministrativeReconsideration)
    case .remotePrisonVisit: return strings(.categoryRemotePrisonVisit)
    case .enterpriseCheckup: return strings(.categoryEnterpriseCheckup)
    case .other: return strings(.categoryOther)
    }
}

/// An order's state in words; none yet: waiting to be taken in.
public func orderStateName(_ state: OrderState?, _ strings: Strings = Strings(.chinese)) -> String {
    guard let state else { return strings(.stateNone) }
    switch state {
    case .submitted: return strings(.stateSubmitted)
    case .open: return strings(.stateOpen)
    case .claimed: return strings(.stateClaimed)
    case .assigned: return strings(.stateAssigned)
    case .inProgress: return strings(.stateInProgress)
    case .resolved: return strings(.stateResolved)
    case .evaluated: return strings(.stateEvaluated)
    case .closed: return strings(.stateClosed)
    case .transferred: return strings(.stateTransferred)
    case .escalated: return strings(.stateEscalated)
    case .cancelled: return strings(.stateCancelled)
    }
}

/// A step of a need's history in words.
public func needStepName(_ what: NeedStepKind, _ strings: Strings = Strings(.chinese)) -> String {
    switch what {
    case .received: return strings(.stepReceived)
    case .opened: return strings(.stepOpened)
    case .grabbed: return strings(.stepGrabbed)
    case .dispatched: return strings(.stepDispatched)
    case .accepted: return strings(.stepAccepted)
    case .declined: return strings(.stepDeclined)
    case .started: return strings(.stepStarted)
    case .transferred: return strings(.stepTransferred)
    case .escalated: return strings(.stepEscalated)
    case .resolved: return strings(.stepResolved)
    case .rated: return strings(.stepRated)
    case .closed: return strings(.stepClosed)
    case .cancelled: return strings(.stepCancelled)
    }
}

/// The legal-aid pre-assessment in words (the institution decides).
public func verdictName(_ verdict: Verdict, _ strings: Strings = Strings(.chinese)) -> String {
    switch verdict {
    case .eligible: return strings(.verdictEligible)
    case .likely: return strings(.verdictLikely)
    case .notEligible: return strings(.verdictNotEligible)
    }
}

/// The fence decision in words.
public func fenceVerdictName(_ verdict: FenceVerdict, _ strings: Strings = Strings(.chinese)) -> String {
    switch verdict {
    case .inside: return strings(.fenceInside)
    case .outside: return strings(.fenceOutside)
    case .uncertain: return strings(.fenceUncertain)
    }
}

/// An outbox entry's kind in words.
public func outboxKindName(_ kind: OutboxKind, _ strings: Strings = Strings(.chinese)) -> String {
    switch kind {
    case .need: return strings(.outboxNeed)
    case .attachment: return strings(.outboxAttachment)
    case .punch: return strings(.outboxPunch)
    }
}

/// Where an outbox entry stands, in words.
public func outboxStateName(_ state: OutboxState, _ strings: Strings = Strings(.chinese)) -> String {
    switch state {
    case .notSent: return strings(.outboxNotSent)
    case .sending: return strings(.outboxSending)
    case .sent: return strings(.outboxSent)
    case .failed: return strings(.outboxFailed)
    case .wedged: return strings(.outboxWedged)
    case .discarded: return strings(.outboxDiscarded)
    }
}

/// A stage of the "my orders" list in words.
public func orderStageName(_ stage: OrderStage, _ strings: Strings = Strings(.chinese)) -> String {
    switch stage {
    case .waitingForMe: return strings(.stageWaitingForMe)
    case .working: return strings(.stageWorking)
    case .done: return strings(.stageDone)
    case .other: return strings(.stageOther)
    }
}

/// A holder's action as its button says it.
public func holderActionName(_ action: HolderAction, _ strings: Strings = Strings(.chinese)) -> String {
    switch action {
    case .accept: return strings(.accept)
    case .decline: return strings(.decline)
    case .start: return strings(.start)
    case .resolve: return strings(.resolve)
    }
}

/// A distance in words: metres under a kilometre, else kilometres with one
/// decimal; a dash when unknown.
public func distanceText(_ metres: Double?, _ strings: Strings = Strings(.chinese)) -> String {
    guard let metres, metres.isFinite else { return "–" }
    let chinese = strings.language == .chinese
    if metres < 1000 { return "\(Int(metres.rounded()))" + (chinese ? " 米" : " m") }
    return String(format: "%.1f", metres / 1000) + (chinese ? " 公里" : " km")
}

/// The plan's eight service products, in the order the screens list them.
public let serviceProducts: [ServiceProduct] = [
    .lawyer, .notarization, .judicialAppraisal, .arbitration, .mediation, .legalAid, .grassrootsLegalService,
    .legalEducation,
]

/// A service product in the user's language.
public func productName(_ product: ServiceProduct, _ strings: Strings = Strings(.chinese)) -> String {
    switch product {
    case .lawyer: return strings(.productLawyer)
    case .notarization: return strings(.productNotarization)
    case .judicialAppraisal: return strings(.productJudicialAppraisal)
    case .arbitration: return strings(.productArbitration)
    case .mediation: return strings(.productMediation)
    case .legalAid: return strings(.productLegalAid)
    case .grassrootsLegalService: return strings(.productGrassroots)
    case .legalEducation: return strings(.productLegalEducation)
    }
}

/// The facility kinds, in the catalogue's order.
public let facilityKinds: [FacilityKind] = [
    .serviceCenter, .smartTerminal, .guideBoard, .lawFirm,
    .grassrootsLegalServiceOffice, .notaryOffice, .judicialAppraisalInstitution, .arbitrationInstitution,
    .mediationOrganization, .judicialOffice, .legalAidInstitution,
    .legalEducationSite, .administrativeReconsiderationPoint,
]

/// A facility kind in the user's language.
public func facilityKindName(_ kind: FacilityKind, _ strings: Strings = Strings(.chinese)) -> String {
    switch kind {
    case .serviceCenter: return strings(.kindServiceCenter)
    case .smartTerminal: return strings(.kindSmartTerminal)
    case .guideBoard: return strings(.kindGuideBoard)
    case .lawFirm: return strings(.kindLawFirm)
    case .grassrootsLegalServiceOffice: return strings(.kindGrassrootsOffice)
    case .notaryOffice: return strings(.kindNotaryOffice)
    case .judicialAppraisalInstitution: return strings(.kindJudicialAppraisal)
    case .arbitrationInstitution: return strings(.kindArbitration)
    case .mediationOrganization: return strings(.kindMediation)
    case .judicialOffice: return strings(.kindJudicialOffice)
    case .legalAidInstitution: return strings(.kindLegalAid)
    case .legalEducationSite: return strings(.kindLegalEducation)
    case .administrativeReconsiderationPoint: return strings(.kindReconsideration)
    }
}
