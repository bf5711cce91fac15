"""The DSA Transparency Database's vocabulary: every enumeration a statement of reasons
(DSA Art. 17) draws on, each value with the TDB's wording, and the country and language codes
it accepts.

Every enumeration value is the TDB's own key, from the Commission's repository
``digital-services-act/transparency-database``: the v2 schema's (since 1 July 2025) categories
and keywords from ``resources/markdown/api-documentation-two.md`` (commit 7c0a571a), the other
enumerations from ``app/Models/Statement.php``, the territorial scope from
``app/Services/EuropeanCountriesService.php`` (0f6fa115) and the content languages from
``app/Services/EuropeanLanguagesService.php`` (20751c03). The statement itself, validated as
the TDB's API does, is ``statements.schemas.StatementOfReasons``.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class _Labelled(StrEnum):
    """A TDB enumeration whose value is the TDB key; ``label`` is the TDB's human wording."""

    @property
    def label(self) -> str:
        return LABELS[self.value]


class DecisionVisibility(_Labelled):
    CONTENT_REMOVED = "DECISION_VISIBILITY_CONTENT_REMOVED"
    CONTENT_DISABLED = "DECISION_VISIBILITY_CONTENT_DISABLED"
    CONTENT_DEMOTED = "DECISION_VISIBILITY_CONTENT_DEMOTED"
    CONTENT_AGE_RESTRICTED = "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED"
    CONTENT_INTERACTION_RESTRICTED = "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED"
    CONTENT_LABELLED = "DECISION_VISIBILITY_CONTENT_LABELLED"
    OTHER = "DECISION_VISIBILITY_OTHER"


class DecisionMonetary(_Labelled):
    SUSPENSION = "DECISION_MONETARY_SUSPENSION"
    TERMINATION = "DECISION_MONETARY_TERMINATION"
    OTHER = "DECISION_MONETARY_OTHER"


class DecisionProvision(_Labelled):
    PARTIAL_SUSPENSION = "DECISION_PROVISION_PARTIAL_SUSPENSION"
    TOTAL_SUSPENSION = "DECISION_PROVISION_TOTAL_SUSPENSION"
    PARTIAL_TERMINATION = "DECISION_PROVISION_PARTIAL_TERMINATION"
    TOTAL_TERMINATION = "DECISION_PROVISION_TOTAL_TERMINATION"


class DecisionAccount(_Labelled):
    SUSPENDED = "DECISION_ACCOUNT_SUSPENDED"
    TERMINATED = "DECISION_ACCOUNT_TERMINATED"


class AccountType(_Labelled):
    BUSINESS = "ACCOUNT_TYPE_BUSINESS"
    PRIVATE = "ACCOUNT_TYPE_PRIVATE"


class DecisionGround(_Labelled):
    ILLEGAL_CONTENT = "DECISION_GROUND_ILLEGAL_CONTENT"
    INCOMPATIBLE_CONTENT = "DECISION_GROUND_INCOMPATIBLE_CONTENT"


class ContentType(_Labelled):
    APP = "CONTENT_TYPE_APP"
    AUDIO = "CONTENT_TYPE_AUDIO"
    IMAGE = "CONTENT_TYPE_IMAGE"
    PRODUCT = "CONTENT_TYPE_PRODUCT"
    SYNTHETIC_MEDIA = "CONTENT_TYPE_SYNTHETIC_MEDIA"
    TEXT = "CONTENT_TYPE_TEXT"
    VIDEO = "CONTENT_TYPE_VIDEO"
    OTHER = "CONTENT_TYPE_OTHER"


class Category(_Labelled):
    ANIMAL_WELFARE = "STATEMENT_CATEGORY_ANIMAL_WELFARE"
    CONSUMER_INFORMATION = "STATEMENT_CATEGORY_CONSUMER_INFORMATION"
    CYBER_VIOLENCE = "STATEMENT_CATEGORY_CYBER_VIOLENCE"
    CYBER_VIOLENCE_AGAINST_WOMEN = "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN"
    DATA_PROTECTION_AND_PRIVACY_VIOLATIONS = (
        "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS"
    )
    ILLEGAL_OR_HARMFUL_SPEECH = "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH"
    INTELLECTUAL_PROPERTY_INFRINGEMENTS = "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS"
    NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS = (
        "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
    )
    NOT_SPECIFIED_NOTICE = "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE"
    OTHER_VIOLATION_TC = "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
    PROTECTION_OF_MINORS = "STATEMENT_CATEGORY_PROTECTION_OF_MINORS"
    RISK_FOR_PUBLIC_SECURITY = "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY"
    SCAMS_AND_FRAUD = "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"
    SELF_HARM = "STATEMENT_CATEGORY_SELF_HARM"
    UNSAFE_AND_PROHIBITED_PRODUCTS = "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS"
    VIOLENCE = "STATEMENT_CATEGORY_VIOLENCE"


class Keyword(_Labelled):
    """``category_specification`` values. The TDB accepts any of them with any category."""

    ANIMAL_HARM = "KEYWORD_ANIMAL_HARM"
    ADULT_SEXUAL_MATERIAL = "KEYWORD_ADULT_SEXUAL_MATERIAL"
    AGE_SPECIFIC_RESTRICTIONS = "KEYWORD_AGE_SPECIFIC_RESTRICTIONS"
    AGE_SPECIFIC_RESTRICTIONS_MINORS = "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS"
    BIOMETRIC_DATA_BREACH = "KEYWORD_BIOMETRIC_DATA_BREACH"
    BULLYING_AGAINST_GIRLS = "KEYWORD_BULLYING_AGAINST_GIRLS"
    CHILD_SEXUAL_ABUSE_MATERIAL = "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"
    CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE = "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE"
    CONTENT_PROMOTING_EATING_DISORDERS = "KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS"
    COORDINATED_HARM = "KEYWORD_COORDINATED_HARM"
    COPYRIGHT_INFRINGEMENT = "KEYWORD_COPYRIGHT_INFRINGEMENT"
    CYBER_BULLYING_INTIMIDATION = "KEYWORD_CYBER_BULLYING_INTIMIDATION"
    CYBER_HARASSMENT = "KEYWORD_CYBER_HARASSMENT"
    CYBER_HARASSMENT_AGAINST_WOMEN = "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN"
    CYBER_INCITEMENT = "KEYWORD_CYBER_INCITEMENT"
    CYBER_STALKING = "KEYWORD_CYBER_STALKING"
    CYBER_STALKING_AGAINST_WOMEN = "KEYWORD_CYBER_STALKING_AGAINST_WOMEN"
    DATA_FALSIFICATION = "KEYWORD_DATA_FALSIFICATION"
    DEFAMATION = "KEYWORD_DEFAMATION"
    DESIGN_INFRINGEMENT = "KEYWORD_DESIGN_INFRINGEMENT"
    DISCRIMINATION = "KEYWORD_DISCRIMINATION"
    MISINFORMATION_DISINFORMATION = "KEYWORD_MISINFORMATION_DISINFORMATION"
    FEMALE_GENDERED_DISINFORMATION = "KEYWORD_FEMALE_GENDERED_DISINFORMATION"
    GEOGRAPHIC_INDICATIONS_INFRINGEMENT = "KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT"
    GEOGRAPHICAL_REQUIREMENTS = "KEYWORD_GEOGRAPHICAL_REQUIREMENTS"
    GOODS_SERVICES_NOT_PERMITTED = "KEYWORD_GOODS_SERVICES_NOT_PERMITTED"
    GROOMING_SEXUAL_ENTICEMENT_MINORS = "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS"
    HATE_SPEECH = "KEYWORD_HATE_SPEECH"
    HIDDEN_ADVERTISEMENT = "KEYWORD_HIDDEN_ADVERTISEMENT"
    HUMAN_EXPLOITATION = "KEYWORD_HUMAN_EXPLOITATION"
    HUMAN_TRAFFICKING = "KEYWORD_HUMAN_TRAFFICKING"
    ILLEGAL_ORGANIZATIONS = "KEYWORD_ILLEGAL_ORGANIZATIONS"
    IMPERSONATION_ACCOUNT_HIJACKING = "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING"
    INAUTHENTIC_ACCOUNTS = "KEYWORD_INAUTHENTIC_ACCOUNTS"
    INAUTHENTIC_LISTINGS = "KEYWORD_INAUTHENTIC_LISTINGS"
    INAUTHENTIC_USER_REVIEWS = "KEYWORD_INAUTHENTIC_USER_REVIEWS"
    INCITEMENT_AGAINST_WOMEN = "KEYWORD_INCITEMENT_AGAINST_WOMEN"
    INCITEMENT_VIOLENCE_HATRED = "KEYWORD_INCITEMENT_VIOLENCE_HATRED"
    INSUFFICIENT_INFORMATION_ON_TRADERS = "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS"
    LANGUAGE_REQUIREMENTS = "KEYWORD_LANGUAGE_REQUIREMENTS"
    MISLEADING_INFO_CONSUMER_RIGHTS = "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS"
    MISLEADING_INFO_GOODS_SERVICES = "KEYWORD_MISLEADING_INFO_GOODS_SERVICES"
    MISSING_PROCESSING_GROUND = "KEYWORD_MISSING_PROCESSING_GROUND"
    NON_CONSENSUAL_IMAGE_SHARING = "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING"
    NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN = (
        "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN"
    )
    NON_CONSENSUAL_MATERIAL_DEEPFAKE = "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE"
    NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN = (
        "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN"
    )
    NONCOMPLIANCE_PRICING = "KEYWORD_NONCOMPLIANCE_PRICING"
    NUDITY = "KEYWORD_NUDITY"
    PATENT_INFRINGEMENT = "KEYWORD_PATENT_INFRINGEMENT"
    PHISHING = "KEYWORD_PHISHING"
    PROHIBITED_PRODUCTS = "KEYWORD_PROHIBITED_PRODUCTS"
    PYRAMID_SCHEMES = "KEYWORD_PYRAMID_SCHEMES"
    RIGHT_TO_BE_FORGOTTEN = "KEYWORD_RIGHT_TO_BE_FORGOTTEN"
    RISK_ENVIRONMENTAL_DAMAGE = "KEYWORD_RISK_ENVIRONMENTAL_DAMAGE"
    RISK_PUBLIC_HEALTH = "KEYWORD_RISK_PUBLIC_HEALTH"
    SELF_MUTILATION = "KEYWORD_SELF_MUTILATION"
    STALKING = "KEYWORD_STALKING"
    SUICIDE = "KEYWORD_SUICIDE"
    TERRORIST_CONTENT = "KEYWORD_TERRORIST_CONTENT"
    TRADE_SECRET_INFRINGEMENT = "KEYWORD_TRADE_SECRET_INFRINGEMENT"  # noqa: S105 - not a secret
    TRADEMARK_INFRINGEMENT = "KEYWORD_TRADEMARK_INFRINGEMENT"
    TRAFFICKING_WOMEN_GIRLS = "KEYWORD_TRAFFICKING_WOMEN_GIRLS"
    UNLAWFUL_SALE_ANIMALS = "KEYWORD_UNLAWFUL_SALE_ANIMALS"
    UNSAFE_CHALLENGES = "KEYWORD_UNSAFE_CHALLENGES"
    UNSAFE_PRODUCTS = "KEYWORD_UNSAFE_PRODUCTS"
    VIOLATION_EU_LAW = "KEYWORD_VIOLATION_EU_LAW"
    VIOLATION_NATIONAL_LAW = "KEYWORD_VIOLATION_NATIONAL_LAW"
    OTHER = "KEYWORD_OTHER"


class SourceType(_Labelled):
    ARTICLE_16 = "SOURCE_ARTICLE_16"
    TRUSTED_FLAGGER = "SOURCE_TRUSTED_FLAGGER"
    OTHER_NOTIFICATION = "SOURCE_TYPE_OTHER_NOTIFICATION"
    VOLUNTARY = "SOURCE_VOLUNTARY"


class AutomatedDecision(_Labelled):
    FULLY = "AUTOMATED_DECISION_FULLY"
    PARTIALLY = "AUTOMATED_DECISION_PARTIALLY"
    NOT_AUTOMATED = "AUTOMATED_DECISION_NOT_AUTOMATED"


class YesNo(_Labelled):
    """``automated_detection`` and ``incompatible_content_illegal`` take the words themselves."""

    YES = "Yes"
    NO = "No"


LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        # app/Models/Statement.php
        "DECISION_VISIBILITY_CONTENT_REMOVED": "Removal of content",
        "DECISION_VISIBILITY_CONTENT_DISABLED": "Disabling access to content",
        "DECISION_VISIBILITY_CONTENT_DEMOTED": "Demotion of content",
        "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED": "Age restricted content",
        "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED": (
            "Restricting interaction with content"
        ),
        "DECISION_VISIBILITY_CONTENT_LABELLED": "Labelled content",
        "DECISION_VISIBILITY_OTHER": "Other restriction (please specify)",
        "DECISION_MONETARY_SUSPENSION": "Suspension of monetary payments",
        "DECISION_MONETARY_TERMINATION": "Termination of monetary payments",
        "DECISION_MONETARY_OTHER": "Other restriction (please specify)",
        "DECISION_PROVISION_PARTIAL_SUSPENSION": (
            "Partial suspension of the provision of the service"
        ),
        "DECISION_PROVISION_TOTAL_SUSPENSION": "Total suspension of the provision of the service",
        "DECISION_PROVISION_PARTIAL_TERMINATION": (
            "Partial termination of the provision of the service"
        ),
        "DECISION_PROVISION_TOTAL_TERMINATION": "Total termination of the provision of the service",
        "DECISION_ACCOUNT_SUSPENDED": "Suspension of the account",
        "DECISION_ACCOUNT_TERMINATED": "Termination of the account",
        "ACCOUNT_TYPE_BUSINESS": "Business",
        "ACCOUNT_TYPE_PRIVATE": "Private",
        "DECISION_GROUND_ILLEGAL_CONTENT": "Illegal Content",
        "DECISION_GROUND_INCOMPATIBLE_CONTENT": "Content incompatible with terms and conditions",
        "CONTENT_TYPE_APP": "App",
        "CONTENT_TYPE_AUDIO": "Audio",
        "CONTENT_TYPE_IMAGE": "Image",
        "CONTENT_TYPE_PRODUCT": "Product",
        "CONTENT_TYPE_SYNTHETIC_MEDIA": "Synthetic Media",
        "CONTENT_TYPE_TEXT": "Text",
        "CONTENT_TYPE_VIDEO": "Video",
        "CONTENT_TYPE_OTHER": "Other",
        "SOURCE_ARTICLE_16": "Notice submitted in accordance with Article 16 DSA",
        "SOURCE_TRUSTED_FLAGGER": "Notice submitted by a trusted flagger",
        "SOURCE_TYPE_OTHER_NOTIFICATION": "Other type of notification",
        "SOURCE_VOLUNTARY": "Own voluntary initiative",
        "AUTOMATED_DECISION_FULLY": "Fully automated",
        "AUTOMATED_DECISION_PARTIALLY": "Partially automated",
        "AUTOMATED_DECISION_NOT_AUTOMATED": "Not Automated",
        "Yes": "Yes",
        "No": "No",
        # resources/markdown/api-documentation-two.md (v2)
        "STATEMENT_CATEGORY_ANIMAL_WELFARE": "Animal welfare",
        "STATEMENT_CATEGORY_CONSUMER_INFORMATION": "Consumer information infringements",
        "STATEMENT_CATEGORY_CYBER_VIOLENCE": "Cyber violence",
        "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN": "Cyber violence against women",
        "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS": (
            "Data protection and privacy violations"
        ),
        "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH": "Illegal or harmful speech",
        "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS": (
            "Intellectual property infringements"
        ),
        "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS": (
            "Negative effects on civic discourse or elections"
        ),
        "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE": (
            "Type of alleged illegal content not specified by the notifier"
        ),
        "STATEMENT_CATEGORY_OTHER_VIOLATION_TC": (
            "Other violation of provider\u2019s terms and conditions"
        ),
        "STATEMENT_CATEGORY_PROTECTION_OF_MINORS": "Protection of minors",
        "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY": "Risk for public security",
        "STATEMENT_CATEGORY_SCAMS_AND_FRAUD": "Scams and/or fraud",
        "STATEMENT_CATEGORY_SELF_HARM": "Self-harm",
        "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS": (
            "Unsafe, non-compliant or prohibited products"
        ),
        "STATEMENT_CATEGORY_VIOLENCE": "Violence",
        "KEYWORD_ANIMAL_HARM": "Animal harm",
        "KEYWORD_ADULT_SEXUAL_MATERIAL": "Adult sexual material",
        "KEYWORD_AGE_SPECIFIC_RESTRICTIONS": "Age-specific restrictions",
        "KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS": "Age-specific restrictions concerning minors",
        "KEYWORD_BIOMETRIC_DATA_BREACH": "Biometric data breach",
        "KEYWORD_BULLYING_AGAINST_GIRLS": "Cyber bullying and intimidation against girls",
        "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL": "Child sexual abuse material",
        "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE": (
            "Child sexual abuse material containing deepfake or similar technology"
        ),
        "KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS": "Content promoting eating disorders",
        "KEYWORD_COORDINATED_HARM": "Coordinated harm",
        "KEYWORD_COPYRIGHT_INFRINGEMENT": "Copyright infringements",
        "KEYWORD_CYBER_BULLYING_INTIMIDATION": "Cyber bullying and intimidation",
        "KEYWORD_CYBER_HARASSMENT": "Cyber harassment",
        "KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN": "Cyber harassment against women",
        "KEYWORD_CYBER_INCITEMENT": "Cyber incitement to hatred or violence",
        "KEYWORD_CYBER_STALKING": "Cyber stalking",
        "KEYWORD_CYBER_STALKING_AGAINST_WOMEN": "Cyber stalking against women",
        "KEYWORD_DATA_FALSIFICATION": "Data falsification",
        "KEYWORD_DEFAMATION": "Defamation",
        "KEYWORD_DESIGN_INFRINGEMENT": "Design infringements",
        "KEYWORD_DISCRIMINATION": "Discrimination",
        "KEYWORD_MISINFORMATION_DISINFORMATION": (
            "Misinformation, disinformation, foreign information manipulation and interference"
        ),
        "KEYWORD_FEMALE_GENDERED_DISINFORMATION": "Gendered disinformation",
        "KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT": "Geographic indications infringements",
        "KEYWORD_GEOGRAPHICAL_REQUIREMENTS": "Geographical requirements",
        "KEYWORD_GOODS_SERVICES_NOT_PERMITTED": (
            "Goods/services not permitted to be offered on the platform"
        ),
        "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS": "Grooming/sexual enticement of minors",
        "KEYWORD_HATE_SPEECH": (
            "Illegal incitement to violence and hatred based on protected characteristics "
            "(hate speech)"
        ),
        "KEYWORD_HIDDEN_ADVERTISEMENT": (
            "Hidden advertisement or commercial communication, including by influencers"
        ),
        "KEYWORD_HUMAN_EXPLOITATION": "Human exploitation",
        "KEYWORD_HUMAN_TRAFFICKING": "Human trafficking",
        "KEYWORD_ILLEGAL_ORGANIZATIONS": "Illegal organizations",
        "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING": "Impersonation or account hijacking",
        "KEYWORD_INAUTHENTIC_ACCOUNTS": "Inauthentic accounts",
        "KEYWORD_INAUTHENTIC_LISTINGS": "Inauthentic listings",
        "KEYWORD_INAUTHENTIC_USER_REVIEWS": "Inauthentic user reviews",
        "KEYWORD_INCITEMENT_AGAINST_WOMEN": (
            "Illegal incitement to violence and hatred against women"
        ),
        "KEYWORD_INCITEMENT_VIOLENCE_HATRED": (
            "General calls or incitement to violence and/or hatred"
        ),
        "KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS": "Insufficient information on traders",
        "KEYWORD_LANGUAGE_REQUIREMENTS": "Language requirements",
        "KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS": (
            "Misleading information about the consumer\u2019s rights"
        ),
        "KEYWORD_MISLEADING_INFO_GOODS_SERVICES": (
            "Misleading information about the characteristics of the goods and services"
        ),
        "KEYWORD_MISSING_PROCESSING_GROUND": "Missing processing ground for data",
        "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING": (
            "Non-consensual (intimate) material sharing, including (image-based) sexual abuse "
            "(excluding content depicting minors)"
        ),
        "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN": (
            "Non-consensual (intimate) material sharing against women, including (image-based) "
            "sexual abuse against women (excluding content depicting minors)"
        ),
        "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE": (
            "Non-consensual sharing of material containing deepfake or similar technology using "
            "a third party's features (excluding content depicting minors)"
        ),
        "KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN": (
            "Non-consensual sharing of material containing deepfake or similar technology using "
            "a third party's features against women (excluding content depicting minors)"
        ),
        "KEYWORD_NONCOMPLIANCE_PRICING": "Non-compliance with pricing regulations",
        "KEYWORD_NUDITY": "Nudity",
        "KEYWORD_PATENT_INFRINGEMENT": "Patent infringements",
        "KEYWORD_PHISHING": "Phishing",
        "KEYWORD_PROHIBITED_PRODUCTS": "Prohibited or restricted products",
        "KEYWORD_PYRAMID_SCHEMES": "Pyramid schemes",
        "KEYWORD_RIGHT_TO_BE_FORGOTTEN": "Right to be forgotten",
        "KEYWORD_RISK_ENVIRONMENTAL_DAMAGE": "Risk for environmental damage",
        "KEYWORD_RISK_PUBLIC_HEALTH": "Risk for public health",
        "KEYWORD_SELF_MUTILATION": "Self-mutilation",
        "KEYWORD_STALKING": "Stalking",
        "KEYWORD_SUICIDE": "Suicide",
        "KEYWORD_TERRORIST_CONTENT": "Terrorist content",
        "KEYWORD_TRADE_SECRET_INFRINGEMENT": "Trade secret infringements",
        "KEYWORD_TRADEMARK_INFRINGEMENT": "Trademark infringements",
        "KEYWORD_TRAFFICKING_WOMEN_GIRLS": "Trafficking in women and girls",
        "KEYWORD_UNLAWFUL_SALE_ANIMALS": "Unlawful sale of animals",
        "KEYWORD_UNSAFE_CHALLENGES": "Unsafe challenges",
        "KEYWORD_UNSAFE_PRODUCTS": "Unsafe or non-compliant products",
        "KEYWORD_VIOLATION_EU_LAW": "Violation of EU law relevant to civic discourse or elections",
        "KEYWORD_VIOLATION_NATIONAL_LAW": (
            "Violation of national law relevant to civic discourse or elections"
        ),
        "KEYWORD_OTHER": "Not captured by any other keyword",
    }
)

# EuropeanCountriesService::EUROPEAN_COUNTRY_CODES: the EU 27 plus Iceland, Liechtenstein, Norway.
TERRITORIAL_SCOPE: Final[frozenset[str]] = frozenset(
    """
    AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK
    """.split()  # noqa: SIM905 - the official list, as compact as it is printed
)

# EuropeanLanguagesService::ALL_LANGUAGES keys: the uppercase ISO 639-1 codes the TDB accepts.
CONTENT_LANGUAGES: Final[frozenset[str]] = frozenset(
    """
    AA AB AE AF AK AM AN AR AS AV AY AZ BA BE BG BH BI BM BN BO BR BS CA CE CH CO CR CS
    CU CV CY DA DE DV DZ EE EL EN EO ES ET EU FA FF FI FJ FO FR FY GA GD GL GN GU GV HA
    HE HI HO HR HT HU HY HZ IA ID IE IG II IK IO IS IT IU JA JV KA KG KI KJ KK KL KM KN
    KO KR KS KU KV KW KY LA LB LG LI LN LO LT LU LV MG MH MI MK ML MN MR MS MT MY NA NB
    ND NE NG NL NN NO NR NV NY OC OJ OM OR OS PA PI PL PS PT QU RM RN RO RU RW SA SC SD
    SE SG SI SK SL SM SN SO SQ SR SS ST SU SV SW TA TE TG TH TI TK TL TN TO TR TS TT TW
    TY UG UK UR UZ VE VI VO WA WO XH YI YO ZA ZH ZU
    """.split()  # noqa: SIM905 - the official list, as compact as it is printed
)

# The only content_id key the TDB accepts (API documentation v2, "Content identifier").
CONTENT_ID_EAN_13: Final = "EAN-13"
