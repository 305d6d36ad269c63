"""The domain: partnerships, agencies, reviews, their subjects, roles and clocks."""

from __future__ import annotations

from reviews.models.accuracy import (
    AccuracyComment,
    AccuracyRound,
    ClosedBecause,
    CommentResponse,
    ResponseOutcome,
    RoundAgency,
)
from reviews.models.actions import Action, ActionEvidenceFile, ActionState, ActionUpdate, Rag
from reviews.models.agencyforms import AgencyFormAnswers, AgencyFormDefinition
from reviews.models.child_death import ChildDeath, ChildDeathStage, JointAgencyResponseItem
from reviews.models.chronology import ChronologyEntry, DatePrecision
from reviews.models.clocks import ClockSetting, ReviewClock
from reviews.models.contributions import AgencyContribution, AgencyReport, Ask, ContributionState, DueDateChange
from reviews.models.documents import Document, DocumentKind, DocumentVersion
from reviews.models.family import FamilyInvolvement, FamilyMeeting, ToldHow
from reviews.models.findings import (
    CategoryOfDeath,
    Findings,
    FindingsState,
    ModifiableFactors,
    Recommendation,
    SignedFindings,
    Theme,
)
from reviews.models.intake import (
    DeathExpectation,
    Ethnicity,
    IntakeContact,
    IntakeItem,
    IntakeStatus,
    NotifierAccount,
    PostcodeArea,
)
from reviews.models.leaks import LeakOverride
from reviews.models.national_export import NationalExport
from reviews.models.notices import Notice, NoticeKind
from reviews.models.panels import (
    DecisionOutcome,
    PanelAgendaItem,
    PanelDecision,
    PanelInvitation,
    PanelMeeting,
    QuorumGroup,
    QuorumRule,
)
from reviews.models.partnerships import Agency, AgencyKind, ClosureDay, Partnership, PartnershipMember
from reviews.models.publication import Publication, PublicationDecision, PublicationState
from reviews.models.report import OverviewReport, ReportSection, ReportVersion, SectionKind, VersionState
from reviews.models.review import Review, ReviewKind, ReviewState
from reviews.models.roles import ReviewGroupObjectPermission, ReviewRole, ReviewUserObjectPermission, Role
from reviews.models.subjects import RestrictedName, Sex, Subject, SubjectIdentity

__all__ = [
    "AccuracyComment",
    "AccuracyRound",
    "ClosedBecause",
    "CommentResponse",
    "ResponseOutcome",
    "RoundAgency",
    "OverviewReport",
    "ReportSection",
    "ReportVersion",
    "SectionKind",
    "VersionState",
    "Publication",
    "PublicationDecision",
    "PublicationState",
    "Document",
    "DocumentKind",
    "DocumentVersion",
    "FamilyInvolvement",
    "FamilyMeeting",
    "ToldHow",
    "AgencyFormAnswers",
    "AgencyFormDefinition",
    "ChildDeath",
    "ChildDeathStage",
    "JointAgencyResponseItem",
    "DeathExpectation",
    "Ethnicity",
    "IntakeContact",
    "IntakeItem",
    "IntakeStatus",
    "NotifierAccount",
    "PostcodeArea",
    "Action",
    "LeakOverride",
    "NationalExport",
    "Notice",
    "NoticeKind",
    "ActionEvidenceFile",
    "ActionState",
    "ActionUpdate",
    "CategoryOfDeath",
    "DecisionOutcome",
    "Findings",
    "FindingsState",
    "ModifiableFactors",
    "PanelAgendaItem",
    "PanelDecision",
    "PanelInvitation",
    "PanelMeeting",
    "QuorumGroup",
    "QuorumRule",
    "Rag",
    "Recommendation",
    "RestrictedName",
    "SignedFindings",
    "Theme",
    "Agency",
    "AgencyContribution",
    "AgencyReport",
    "Ask",
    "ChronologyEntry",
    "ContributionState",
    "DatePrecision",
    "DueDateChange",
    "AgencyKind",
    "ClockSetting",
    "ClosureDay",
    "Partnership",
    "PartnershipMember",
    "Review",
    "ReviewClock",
    "ReviewGroupObjectPermission",
    "ReviewKind",
    "ReviewRole",
    "ReviewState",
    "ReviewUserObjectPermission",
    "Role",
    "Sex",
    "Subject",
    "SubjectIdentity",
]
