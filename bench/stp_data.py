"""The claim stream of ``python -m bench stp`` (issue 13): insureds, their policies and
accounts, and medical claims with e-bills (receipt JSON + 医保结算单, docs/bills.md) —
clean ones, ones with missing materials or over the automatic limit, and planted fraud.

Pure and deterministic (one ``random.Random(seed)``): no database, no clock but the
``today`` it is given. The fraud is planted the way people commit it (docs/benchmarks.md,
"How the fraud is planted"): different people, small variations, amounts and timings
drawn from their own ranges — never from the checks' thresholds, which this module does
not read.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import string
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
LIMIT = Decimal("5000.00")  # the automatic path's documented default (CLM-T2)
WAITING_DAYS = 30  # the bench product's waiting period (its terms, not a check's)
# The book (docs/benchmarks.md, "The book"): each insured's yearly claim rate is drawn
# from a gamma distribution of this mean and shape — claim counts negative binomial, as
# in health insurance: most insureds claim 0-2 times a year, a few (chronic conditions)
# far more. The stream is the claims of the last STREAM_DAYS of treatment; the claims
# before that, back to a year or the waiting period's end, are the book's history.
CLAIMS_PER_YEAR = 1.0
RATE_SHAPE = 0.5
STREAM_DAYS = 90
RENEWED = 0.75  # share of the honest book's policies that renew last year's

# Honest look-alikes of the planted fraud (docs/benchmarks.md, "Honest look-alikes"):
# shares from public statistics and stated assumptions, never from a check's parameters.
# Households: adults whose spouse is insured here too, each on a policy of their own —
# bought by themselves (each on their own app) or by the other spouse (SPOUSE_BUYS).
COUPLES = 0.20
# Of those couples, one phone on both records (the household's landline, or the one who
# handles the family's paperwork gave their mobile for both).
COUPLE_ONE_PHONE = 0.30
# Of those couples, one spouse bought the other's policy (the policy records the insured
# as the holder's spouse, 配偶) rather than each their own — an assumption: the online
# channels sell 本人/配偶/子女/父母 in one order, but no public share was found.
SPOUSE_BUYS = 0.40
# A claim of a married insured handed in by the spouse, with the spouse's phone as the
# claim's contact phone.
SPOUSE_FILES = 0.25
# Insureds aged 60+ with an adult child (30-50) insured here too, and of them: the child
# bought the parent's policy (the child is its policyholder, the policy records the
# insured as the holder's parent), and, apart from that, the parent's record carries the
# child's mobile (older people who leave the paperwork to a child; the child's phone is
# who the insurer should call). A child who buys for one parent buys for both when both
# are insured here (one order; an assumption).
ELDER_WITH_CHILD = 0.50
CHILD_BUYS_FOR_ELDER = 0.50
ELDER_CHILD_PHONE = 0.60
# Series of visits consistent with a diagnosis — each visit its own e-receipt and its own
# claim (the worst case for a frequency check; a patient who batches a month's receipts
# shows fewer, larger claims): maintenance haemodialysis (prevalence among adults),
# a physiotherapy course, antenatal care of a pregnancy, outpatient chemotherapy cycles
# (incidence per insured-year among those of the given sex and ages).
DIALYSIS_PREVALENCE = 0.0005
PHYSIO_PER_YEAR = 0.006
PREGNANCY_PER_YEAR = 0.04  # women 22-40
# Share of antenatal visits claimed here: maternity insurance (生育保险) pays most of an
# employed woman's antenatal checks, and many leave the small remainder unclaimed.
PRENATAL_CLAIMED = 0.5
CHEMO_PER_YEAR = 0.002  # adults 40+
# A neighbourhood clinic (the CLINIC the provider-cluster ring also uses): the share of
# the book living near it, the share of their common-illness visits made there (primary
# care takes about half of China's outpatient visits), and a flu wave in the stream's
# window: the share of the whole book with an extra influenza-like-illness visit in it.
CLINIC_CATCHMENT = 0.06
CLINIC_SHARE = 0.50
FLU_ATTACK = 0.015
FLU_WAVE_DAYS = 21

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志宏晓东海波斌宇浩凯健俊帆帅旭宁琳欣悦婷雪梅琴云莉倩佳怡慧颖"
REGIONS = ("110101", "110105", "110108", "310104", "310115", "440106", "440305", "330106")

# Providers: (name, 17 first characters of the unified social credit code, receipt region)
HOSPITALS = (
    ("北京协和医院", "12100000400000716", "11060126"),
    ("北京大学第三医院", "12110000400688321", "11060126"),
    ("首都医科大学附属北京朝阳医院", "12110000400687214", "11060126"),
    ("复旦大学附属华山医院", "12310000425006117", "31060126"),
    ("上海市第六人民医院", "12310000425022183", "31060126"),
    ("中山大学附属第一医院", "12440000455350365", "44060126"),
    ("深圳市人民医院", "12440300455755016", "44060126"),
    ("浙江大学医学院附属第一医院", "12330000470051726", "33060126"),
)
CLINIC = ("北京康泰门诊部", "52110105MJ0123456", "11060126")


def credit_code(first17: str) -> str:
    from claimdesk.rules.bills import credit_check_char

    return first17 + credit_check_char(first17)


# Items: national catalogue code, name, class (1 甲 2 乙 3 丙), 乙 self-pay ratio,
# typical unit price, typical quantity range. Codes follow the national patterns
# (service items 00xxxxxxxxxxxxx-xxxxxxxxx, drugs X/Z + ATC-like, materials C...).
Item = tuple[str, str, str, str | None, str, tuple[int, int]]
ITEMS: dict[str, Item] = {
    "consult": ("001102000010000-110200001", "普通门诊诊查费", "1", None, "25.00", (1, 1)),
    "expert": ("001102000020000-110200002", "副主任医师门诊诊查费", "1", None, "60.00", (1, 1)),
    "er": ("001103000010000-110300001", "急诊诊查费", "1", None, "35.00", (1, 1)),
    "cbc": ("002501010010000-250101001", "血常规检查（五分类）", "1", None, "25.00", (1, 1)),
    "crp": ("002503040150000-250304015", "C反应蛋白测定", "1", None, "30.00", (1, 1)),
    "urine": ("002501020010000-250102001", "尿常规检查", "1", None, "15.00", (1, 1)),
    "lft": ("002503020010000-250302001", "肝功能检查", "1", None, "90.00", (1, 1)),
    "xray": ("002102010010000-210201001", "数字化X线摄影（DR）", "1", None, "90.00", (1, 2)),
    "ct": ("002103000010000-210300001", "X线计算机体层（CT）平扫", "2", "0.10", "280.00", (1, 1)),
    "us": ("002203000010000-220300001", "彩色多普勒超声检查", "1", None, "160.00", (1, 1)),
    "gastroscopy": ("003107020010000-310702001", "电子胃镜检查", "2", "0.10", "380.00", (1, 1)),
    "biopsy": ("002704000010000-270400001", "活检组织病理检查", "2", "0.10", "180.00", (1, 2)),
    "ecg": ("003102000010000-310200001", "常规心电图检查", "1", None, "25.00", (1, 1)),
    "iv": ("001202000010000-120400001", "静脉输液", "1", None, "12.00", (1, 3)),
    "dressing": ("001203000010000-120300001", "换药（中）", "1", None, "30.00", (1, 4)),
    "cast": ("003315000010000-331500001", "石膏固定术", "2", "0.10", "220.00", (1, 1)),
    "suture": ("003201000010000-320100001", "清创缝合术（中）", "1", None, "260.00", (1, 1)),
    "amoxicillin": ("XJ01CAA040A001010101445", "阿莫西林胶囊", "1", None, "12.50", (1, 3)),
    "cefuroxime": ("XJ01DCC038A001010100483", "头孢呋辛酯片", "2", "0.10", "28.60", (1, 3)),
    "lianhua": ("ZA04CAL0146010103795", "连花清瘟胶囊", "2", "0.05", "36.80", (1, 2)),
    "omeprazole": ("XA02BCA010E001010101830", "奥美拉唑肠溶胶囊", "1", None, "18.90", (1, 4)),
    "amlodipine": ("XC08CAA010A001010101961", "苯磺酸氨氯地平片", "1", None, "24.30", (1, 3)),
    "metformin": ("XA10BAA010A001010101320", "盐酸二甲双胍片", "1", None, "15.60", (1, 4)),
    "ibuprofen": ("XM01AEB070A001010103711", "布洛芬缓释胶囊", "1", None, "16.20", (1, 2)),
    "ns": ("XB05XAS010B002010100231", "氯化钠注射液", "1", None, "4.50", (1, 6)),
    "vitamin": ("XA11GAV010A001010100001", "维生素C片", "3", None, "9.80", (1, 2)),
    "room": ("001101000010000-110100001", "普通病房床位费", "1", None, "60.00", (3, 12)),
    "nursing": ("001202010010000-120100002", "Ⅱ级护理", "1", None, "28.00", (3, 12)),
    "appendectomy": ("003310000010000-331003007", "阑尾切除术", "1", None, "1800.00", (1, 1)),
    "anaesthesia": ("003302000010000-330200001", "全身麻醉", "1", None, "1200.00", (1, 1)),
    "trocar": ("C0305010100100200001234", "一次性使用腹腔镜穿刺器", "2", "0.30", "1100.00", (2, 3)),
    "peld": (
        "003310000060000-331001006",
        "经皮椎间孔镜下髓核摘除术",
        "1",
        None,
        "6500.00",
        (1, 1),
    ),
    "mri": ("002104000010000-210400001", "磁共振平扫（MRI）", "2", "0.10", "620.00", (1, 1)),
    "stent": ("C0301020109900100001234", "冠脉药物洗脱支架", "2", "0.30", "7800.00", (1, 1)),
    "pci": ("003109020010000-310902003", "经皮冠状动脉支架置入术", "1", None, "4500.00", (1, 1)),
    # Sex- or age-specific items, as hospitals bill them (names and codes from the price
    # standards, written here independently of any check's list).
    "tct": (
        "002704000050000-270400005",
        "宫颈液基薄层细胞学检查（TCT）",
        "2",
        "0.10",
        "160.00",
        (1, 1),
    ),
    "hpv": (
        "002503050250000-250305025",
        "人乳头瘤病毒（HPV）核酸分型检测",
        "2",
        "0.20",
        "280.00",
        (1, 1),
    ),
    "tvus": ("002203000040000-220300004", "经阴道彩色多普勒超声检查", "1", None, "180.00", (1, 1)),
    "colposcopy": ("003112000060000-311201006", "阴道镜检查", "1", None, "120.00", (1, 1)),
    "prenatal": ("003113000010000-311300001", "产前检查", "1", None, "45.00", (1, 1)),
    "psa": (
        "002503100020000-250310002",
        "总前列腺特异性抗原（TPSA）测定",
        "1",
        None,
        "80.00",
        (1, 1),
    ),
    "prostate_us": (
        "002203000060000-220300006",
        "经直肠前列腺超声检查",
        "1",
        None,
        "150.00",
        (1, 1),
    ),
    "semen": ("002501050010000-250105001", "精液常规检查", "1", None, "60.00", (1, 1)),
    "kids_cold": ("ZA04CAX0325010203410", "小儿氨酚黄那敏颗粒", "1", None, "14.80", (1, 2)),
    "kids_cough": ("ZA05BAX0122010100552", "小儿肺热咳喘口服液", "2", "0.05", "32.50", (1, 2)),
    "neonatal": ("003101000030000-310100003", "新生儿听力筛查", "1", None, "80.00", (1, 1)),
    # Series of visits (honest look-alikes of a frequency burst).
    "dialysis": ("003110000040000-311000004", "血液透析", "1", None, "420.00", (1, 1)),
    "dialyser": ("C1403010300200100001234", "一次性使用血液透析器", "2", "0.20", "120.00", (1, 1)),
    "heparin": ("XB01ABG046B002010100234", "肝素钠注射液", "1", None, "8.50", (1, 2)),
    "exercise": ("003402000010000-340200001", "运动疗法", "1", None, "50.00", (1, 1)),
    "tens": ("003401000060000-340100006", "中频脉冲电治疗", "1", None, "25.00", (1, 2)),
    "infrared": ("003401000140000-340100014", "红外线治疗", "1", None, "10.00", (1, 2)),
    "oxaliplatin": ("XL01XAL073B001020104321", "注射用奥沙利铂", "2", "0.10", "680.00", (1, 2)),
    "ondansetron": ("XA04AAO085B002010103456", "盐酸昂丹司琼注射液", "2", "0.10", "35.00", (1, 2)),
}

# Diagnoses: loss cause, items always billed, items sometimes billed (share of visits
# that have them), and whether it suits an inpatient stay.
Visit = tuple[str, tuple[str, ...], tuple[str, ...]]
VISITS: dict[str, Visit] = {
    "上呼吸道感染": ("illness", ("consult", "cbc"), ("crp", "amoxicillin", "lianhua", "iv", "ns")),
    "急性胃肠炎": ("illness", ("consult", "cbc"), ("urine", "omeprazole", "iv", "ns", "us")),
    "慢性胃炎": ("illness", ("expert", "gastroscopy"), ("biopsy", "omeprazole", "lft")),
    "高血压": ("illness", ("expert", "ecg"), ("amlodipine", "lft", "us")),
    "2型糖尿病": ("illness", ("expert", "lft"), ("metformin", "urine", "us")),
    "腰椎间盘突出": ("illness", ("expert", "ct"), ("ibuprofen", "mri")),
    "支气管炎": ("illness", ("consult", "xray"), ("cefuroxime", "cbc", "crp", "iv", "ns")),
    "前臂骨折": ("accident", ("er", "xray", "cast"), ("ibuprofen", "dressing")),
    "手部裂伤": ("accident", ("er", "suture"), ("dressing", "cefuroxime")),
}
FEMALE_VISITS: dict[str, Visit] = {
    "宫颈炎": ("illness", ("expert", "tct"), ("hpv", "tvus", "colposcopy")),
    "妊娠期检查": ("illness", ("consult", "prenatal"), ("tvus", "cbc", "urine")),
}
MALE_VISITS: dict[str, Visit] = {
    "前列腺增生": ("illness", ("expert", "psa"), ("prostate_us", "urine")),
}
CHILD_VISITS: dict[str, Visit] = {
    "小儿感冒": ("illness", ("consult", "kids_cold"), ("cbc", "kids_cough")),
}
# Common illnesses a neighbourhood clinic treats (the rest go to a hospital).
COMMON = frozenset(("上呼吸道感染", "急性胃肠炎", "高血压", "2型糖尿病", "支气管炎", "小儿感冒"))
# 主诊断 of each visit, as the settlement statement carries it (docs/bills.md): ICD-10
# (医保版) code and name, and the 医疗类别 med_type — 11 普通门诊, 13 急诊, 21 普通住院.
DIAGNOSES: dict[str, tuple[str, str, str]] = {
    "上呼吸道感染": ("J06.900", "急性上呼吸道感染", "11"),
    "急性胃肠炎": ("K52.916", "急性胃肠炎", "11"),
    "慢性胃炎": ("K29.500", "慢性胃炎", "11"),
    "高血压": ("I10.x00", "高血压", "11"),
    "2型糖尿病": ("E11.900", "2型糖尿病", "11"),
    "腰椎间盘突出": ("M51.202", "腰椎间盘突出", "11"),
    "支气管炎": ("J20.900", "急性支气管炎", "11"),
    "前臂骨折": ("S52.900", "前臂骨折", "13"),
    "手部裂伤": ("S61.900", "手部开放性伤口", "13"),
    "宫颈炎": ("N72.x00", "宫颈炎", "11"),
    "妊娠期检查": ("Z34.900", "正常妊娠监督", "11"),
    "前列腺增生": ("N40.x00", "前列腺增生", "11"),
    "小儿感冒": ("J06.900", "急性上呼吸道感染", "11"),
    "急性阑尾炎": ("K35.800", "急性阑尾炎", "21"),
    "冠心病": ("I25.103", "冠状动脉粥样硬化性心脏病", "21"),
    "腰椎间盘突出（住院）": ("M51.202", "腰椎间盘突出", "21"),
    # Series (14 门诊慢特病: dialysis and chemotherapy are outpatient special diseases).
    "慢性肾脏病5期": ("N18.500", "慢性肾脏病5期", "14"),
    "腰痛康复": ("M54.500", "腰痛", "11"),
    "结肠恶性肿瘤化疗": ("C18.900", "结肠恶性肿瘤", "14"),
    "结肠恶性肿瘤复查": ("C18.900", "结肠恶性肿瘤", "14"),
}
# The visits of each series: items always billed, items sometimes billed.
SERIES_VISITS: dict[str, Visit] = {
    "慢性肾脏病5期": ("illness", ("dialysis", "dialyser", "heparin"), ("ns", "cbc")),
    "腰痛康复": ("illness", ("exercise", "tens"), ("infrared",)),
    "结肠恶性肿瘤化疗": ("illness", ("expert", "oxaliplatin", "ondansetron", "iv", "ns"), ("cbc",)),
    "结肠恶性肿瘤复查": ("illness", ("consult", "cbc", "lft"), ()),
    "妊娠期检查": FEMALE_VISITS["妊娠期检查"],
}
INPATIENT: dict[str, tuple[str, ...]] = {
    "急性阑尾炎": (
        "appendectomy",
        "anaesthesia",
        "trocar",
        "room",
        "nursing",
        "cbc",
        "ct",
        "cefuroxime",
        "ns",
    ),
    "冠心病": ("pci", "stent", "room", "nursing", "ecg", "lft", "ns"),
    "腰椎间盘突出（住院）": (
        "peld",
        "anaesthesia",
        "mri",
        "room",
        "nursing",
        "ibuprofen",
        "ct",
        "iv",
    ),
}


@dataclass
class Insured:
    key: int
    name: str
    id_number: str
    sex: str  # M | F
    birth: dt.date
    phone: str
    account: str
    account_holder: str
    policy_start: dt.date
    # A child's policy is bought by a parent (the policyholder), another insured's key.
    holder_key: int | None = None
    # What the policy form records (投保人与被保险人关系): the insured is the holder's
    # child | parent | spouse; "self" when the insured bought it.
    holder_relationship: str = "self"
    # A renewal: the policy of the year before started on this day (the book's history
    # reaches into it; a renewal carries no new waiting period).
    previous_start: dt.date | None = None
    # Lives near the neighbourhood clinic (CLINIC): half their common-illness visits there.
    near_clinic: bool = False
    # The spouse's key, when the spouse is insured here too (on a policy of their own).
    spouse: int | None = None
    # An insured of 60+: their adult child's key, when the child is insured here too.
    child: int | None = None


def policy_number(person: Insured, on: dt.date | None = None) -> str:
    """The number of the insured's policy in force on ``on`` (the current one when no
    day is given), as bench/stp_book.py loads them: a renewed insured's visit before the
    current policy's start is claimed on the year before's, the policy that covered it."""
    if on is not None and person.previous_start is not None and on < person.policy_start:
        return f"PB{person.previous_start:%Y%m%d}{person.key:08d}"
    return f"PC{person.policy_start:%Y%m%d}{person.key:08d}"


@dataclass
class ClaimSpec:
    key: int
    insured: int
    kind: str  # clean | missing | over_limit | fraud
    fraud: str | None  # the planted kind (docs/benchmarks.md)
    treated_on: dt.date
    diagnosis: str
    cause: str
    bill: dict[str, Any]
    contact_phone: str
    missing: tuple[str, ...] = ()
    # The receipt it copies (duplicates): the claim key of the original.
    copies: int | None = None
    # An honest claim that looks like a kind of fraud (docs/benchmarks.md, "Honest
    # look-alikes"): household | elder_child | series:<diagnosis> | clinic | flu.
    lookalike: str | None = None

    @property
    def total(self) -> Decimal:
        return Decimal(self.bill["receipt"]["total"])

    @property
    def eligible(self) -> bool:
        """Complete e-bills, within the limit, no planted fraud (issue 13's definition)."""
        return self.kind == "clean" and self.fraud is None


@dataclass
class PastClaim:
    """A claim of the book's history: treated before the stream, reported, paid and
    closed; loaded in bulk with its bill (bench/stp_book.py), never fed."""

    insured: int
    treated_on: dt.date
    reported_on: dt.date
    diagnosis: str
    cause: str
    bill: dict[str, Any]

    @property
    def total(self) -> Decimal:
        return Decimal(self.bill["receipt"]["total"])


@dataclass
class Stream:
    today: dt.date
    insureds: list[Insured]
    claims: list[ClaimSpec]
    fraud_groups: dict[str, int] = field(default_factory=dict)
    history: list[PastClaim] = field(default_factory=list)


def _id_number(rng: random.Random, birth: dt.date, sex: str) -> str:
    from claimdesk.rules.identity import check_char

    seq = rng.randrange(0, 99) * 10 + rng.choice((1, 3, 5, 7, 9) if sex == "M" else (0, 2, 4, 6, 8))
    first17 = f"{rng.choice(REGIONS)}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def _luhn(digits: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return digits + str((10 - total % 10) % 10)


class Generator:
    def __init__(self, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.insureds: list[Insured] = []
        self.claims: list[ClaimSpec] = []
        self._phones: set[str] = set()
        self._receipts = 0
        self._ids: set[str] = set()
        self.history: list[PastClaim] = []
        # Insureds whose contacts a relative shares (household | elder_child).
        self.family: dict[int, str] = {}
        # Who bought whose policy (SPOUSE_BUYS) draws from its own generator, so the
        # rest of the stream stays what it was for a seed.
        self.forms = random.Random(seed + 1)

    # -- people ---------------------------------------------------------------------------

    def name(self) -> str:
        r = self.rng
        return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2, 2))))

    def phone(self) -> str:
        while True:
            p = "1" + self.rng.choice("3456789") + "".join(self.rng.choices(string.digits, k=9))
            if p not in self._phones:
                self._phones.add(p)
                return p

    def account(self) -> str:
        prefix = self.rng.choice(("622202", "621700", "622848", "621483", "622588"))
        return _luhn(prefix + "".join(self.rng.choices(string.digits, k=12)))

    def insured(
        self,
        *,
        sex: str | None = None,
        age: tuple[int, int] = (22, 70),
        started_days_ago: tuple[int, int] = (60, 360),
        holder: int | None = None,
    ) -> Insured:
        r = self.rng
        sex = sex or r.choice("MF")
        birth = self.today - dt.timedelta(days=r.randint(age[0] * 365 + 10, age[1] * 365 - 10))
        while True:
            number = _id_number(r, birth, sex)
            if number not in self._ids:
                self._ids.add(number)
                break
        name = self.name()
        person = Insured(
            key=len(self.insureds),
            name=name,
            id_number=number,
            sex=sex,
            birth=birth,
            phone=self.phone(),
            account=self.account(),
            account_holder=name,
            policy_start=self.today - dt.timedelta(days=r.randint(*started_days_ago)),
            holder_key=holder,
        )
        self.insureds.append(person)
        return person

    def age(self, person: Insured, on: dt.date) -> int:
        b = person.birth
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))

    # -- bills ----------------------------------------------------------------------------

    def _line(self, code: str, scale: float = 1.0) -> dict[str, Any]:
        national, name, cls, ratio, price, qty = ITEMS[code]
        r = self.rng
        unit = (Decimal(price) * Decimal(str(round(r.uniform(0.9, 1.15) * scale, 3)))).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
        quantity = r.randint(*qty)
        line: dict[str, Any] = {
            "code": national,
            "name": name,
            "quantity": str(quantity),
            "unit_price": str(unit),
            "amount": str((unit * quantity).quantize(CENT)),
            "chrgitm_lv": cls,
        }
        if ratio is not None:
            line["self_pay_ratio"] = ratio
        return line

    def visit_lines(self, visit: Visit, scale: float = 1.0) -> list[dict[str, Any]]:
        _cause, always, sometimes = visit
        codes = list(always) + [c for c in sometimes if self.rng.random() < 0.55]
        return [self._line(c, scale) for c in codes]

    def stay(self) -> tuple[str, list[dict[str, Any]]]:
        """An inpatient stay (surgery, anaesthesia, consumables, 3-12 days of bed and
        nursing): all of them cost more than the automatic limit."""
        diagnosis = self.rng.choice(sorted(INPATIENT))
        return diagnosis, [self._line(c) for c in INPATIENT[diagnosis]]

    def receipt_identity(self, region: str) -> dict[str, str]:
        self._receipts += 1
        r = self.rng
        return {
            "receipt_code": region,
            "receipt_number": f"{r.randint(10, 99)}{self._receipts:08d}",
            "check_code": "".join(r.choices(string.ascii_letters + string.digits, k=6)),
        }

    def bill(
        self,
        person: Insured,
        provider: tuple[str, str, str],
        on: dt.date,
        lines: list[dict[str, Any]],
        *,
        settled: bool | None = None,
        diagnosis: str | None = None,
    ) -> dict[str, Any]:
        r = self.rng
        total = sum((Decimal(x["amount"]) for x in lines), Decimal("0.00"))
        receipt = {
            **self.receipt_identity(provider[2]),
            "issuer": {"name": provider[0], "credit_code": credit_code(provider[1])},
            "payer": {"name": person.name},
            "issue_date": on.isoformat(),
            "total": str(total),
            "items": lines,
        }
        body: dict[str, Any] = {"receipt": receipt}
        # Inpatients settle through social insurance at discharge (the fund pays most of
        # a stay); outpatients often pay small bills in cash.
        stay = diagnosis is not None and DIAGNOSES.get(diagnosis, ("", "", "11"))[2] == "21"
        if settled if settled is not None else r.random() < (0.95 if stay else 0.7):
            body["settlement"] = self.settlement(on, lines, total, diagnosis)
        return body

    def settlement(
        self,
        on: dt.date,
        lines: list[dict[str, Any]],
        total: Decimal,
        diagnosis: str | None = None,
    ) -> dict[str, Any]:
        r = self.rng
        own = sum((Decimal(x["amount"]) for x in lines if x["chrgitm_lv"] == "3"), Decimal("0.00"))
        pre = sum(
            (
                (Decimal(x["amount"]) * Decimal(x.get("self_pay_ratio", "0"))).quantize(CENT)
                for x in lines
                if x["chrgitm_lv"] == "2"
            ),
            Decimal("0.00"),
        )
        scope = total - own - pre
        fund = (scope * Decimal(str(round(r.uniform(0.3, 0.7), 2)))).quantize(CENT)
        account = (
            min(total - fund, (total * Decimal("0.1")).quantize(CENT))
            if r.random() < 0.4
            else Decimal("0.00")
        )
        main: dict[str, str] = {}
        if diagnosis in DIAGNOSES:
            code, name, med_type = DIAGNOSES[diagnosis]
            main = {"dise_codg": code, "dise_name": name, "med_type": med_type}
        return {
            **main,
            "setl_id": f"{r.randint(10**19, 10**20 - 1)}",
            "setl_time": f"{on.isoformat()}T{r.randint(8, 17):02d}:{r.randint(0, 59):02d}:00",
            "medfee_sumamt": str(total),
            "fund_pay_sumamt": str(fund),
            "acct_pay": str(account),
            "psn_cash_pay": str(total - fund - account),
            "fulamt_ownpay_amt": str(own),
            "overlmt_selfpay": "0.00",
            "preselfpay_amt": str(pre),
            "inscp_scp_amt": str(scope),
        }

    # -- claims ---------------------------------------------------------------------------

    def treated_on(
        self, person: Insured, *, earliest_after_start: int = WAITING_DAYS + 1
    ) -> dt.date:
        first = person.policy_start + dt.timedelta(days=earliest_after_start)
        first = max(first, self.today - dt.timedelta(days=STREAM_DAYS))
        last = self.today - dt.timedelta(days=1)
        if first > last:
            first = last
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def visit_for(self, person: Insured, on: dt.date) -> tuple[str, Visit]:
        r = self.rng
        age = self.age(person, on)
        pool = dict(VISITS)
        if age < 14:
            pool = dict(CHILD_VISITS) | {k: v for k, v in VISITS.items() if v[0] == "accident"}
        elif person.sex == "F" and r.random() < 0.15:
            pool = FEMALE_VISITS if age < 45 else {"宫颈炎": FEMALE_VISITS["宫颈炎"]}
        elif person.sex == "M" and age >= 45 and r.random() < 0.12:
            pool = MALE_VISITS
        diagnosis = r.choice(sorted(pool))
        return diagnosis, pool[diagnosis]

    def provider_for(self, person: Insured, diagnosis: str | None) -> tuple[str, str, str]:
        """Where the visit is made: near the clinic, half the common illnesses there
        (primary care), the rest — and everyone else's — at one of the hospitals."""
        if person.near_clinic and diagnosis in COMMON and self.rng.random() < CLINIC_SHARE:
            return CLINIC
        return self.rng.choice(HOSPITALS)

    def add(self, spec: ClaimSpec) -> ClaimSpec:
        self.claims.append(spec)
        return spec

    def claim(
        self,
        person: Insured,
        *,
        kind: str = "clean",
        fraud: str | None = None,
        on: dt.date | None = None,
        provider: tuple[str, str, str] | None = None,
        lines: list[dict[str, Any]] | None = None,
        diagnosis: str | None = None,
        cause: str = "illness",
        missing: tuple[str, ...] = (),
        phone: str | None = None,
        lookalike: str | None = None,
    ) -> ClaimSpec:
        on = on or self.treated_on(person)
        if lines is None:
            diagnosis, visit = self.visit_for(person, on)
            cause = visit[0]
            lines = self.visit_lines(visit)
        provider = provider or self.provider_for(person, diagnosis)
        if provider == CLINIC and lookalike is None and fraud is None:
            lookalike = "clinic"
        if phone is None and person.spouse is not None and self.rng.random() < SPOUSE_FILES:
            phone = self.insureds[person.spouse].phone  # the spouse hands the claim in
        if lookalike is None and fraud is None:
            lookalike = self.family.get(person.key)
        return self.add(
            ClaimSpec(
                key=len(self.claims),
                insured=person.key,
                kind=kind,
                fraud=fraud,
                treated_on=on,
                diagnosis=diagnosis or "",
                cause=cause,
                bill=self.bill(person, provider, on, lines, diagnosis=diagnosis),
                contact_phone=phone or person.phone,
                missing=missing,
                lookalike=lookalike,
            )
        )


def generate(count: int = 2000, *, seed: int = 20261206, today: dt.date | None = None) -> Stream:
    """About 70 % clean, 10 % missing materials, 10 % over the limit, 10 % planted fraud
    (of the nine kinds of CLM-F3, roughly equal numbers of claims each)."""
    today = today or dt.date.today()
    g = Generator(seed, today)
    r = g.rng
    fraud_target = max(9, round(count * 0.10))
    per_kind = max(1, fraud_target // 9)
    missing_n = round(count * 0.10)
    over_n = round(count * 0.10)
    clean_n = count - fraud_target - missing_n - over_n
    # The book: as many insureds as claim this many times in STREAM_DAYS at their rates
    # (CLAIMS_PER_YEAR on average); a few parents insure a child too.
    honest_n = clean_n + missing_n + over_n
    adults = max(4, round(honest_n / (CLAIMS_PER_YEAR * STREAM_DAYS / 365)))
    book = [g.insured() for _ in range(adults)]
    for person in book:
        person.near_clinic = r.random() < CLINIC_CATCHMENT
    _households(g, book)
    parents = [p for p in book if 28 <= g.age(p, today) <= 50]
    for parent in parents[: max(1, len(parents) // 12)]:
        child = g.insured(age=(2, 12), holder=parent.key)
        child.holder_relationship = "child"
        # A child has no phone of its own: the parent's is on the child's record.
        child.phone, child.near_clinic = parent.phone, parent.near_clinic
        book.append(child)
    honest = list(book)
    for person in honest:
        if r.random() < RENEWED:
            person.previous_start = person.policy_start.replace(year=person.policy_start.year - 1)
    rates = [r.gammavariate(RATE_SHAPE, CLAIMS_PER_YEAR / RATE_SHAPE) for _ in honest]
    inpatient_share = over_n / honest_n if honest_n else 0.0
    g.history = _history(g, honest, rates, inpatient_share)
    # Honest look-alikes first (series of visits, a flu wave): they are clean claims of
    # the stream, taken from its clean share, and the trim below spares them.
    before = len(g.claims)
    _series(g, honest)
    _flu_wave(g, honest)
    clean_n = max(0, clean_n - (len(g.claims) - before))
    # The stream's honest claims fall on insureds in proportion to their rates.
    chosen = iter(r.choices(honest, weights=rates, k=honest_n))

    def someone() -> Insured:
        return next(chosen)

    for _ in range(clean_n):
        g.claim(someone())
    for _ in range(missing_n):
        g.claim(
            someone(),
            kind="missing",
            missing=(r.choice(("medical_record", "identity_proof", "claim_form")),),
        )
    for _ in range(over_n):
        person = someone()
        on = g.treated_on(person)
        diagnosis, lines = g.stay()
        g.claim(person, kind="over_limit", on=on, lines=lines, diagnosis=diagnosis)
    _plant(g, per_kind, count)
    # Fraud comes in groups (a ring, a series): trim clean claims to the count asked for.
    excess = len(g.claims) - count
    if excess > 0:
        copied = {c.copies for c in g.claims if c.copies is not None}
        spare = [
            c.key for c in g.claims if c.kind == "clean" and not c.fraud and c.key not in copied
        ]
        drop = set(spare[-excess:])
        g.claims = [c for c in g.claims if c.key not in drop]
    # The order claims arrive in: by treatment date, plus a few days' delay each. A copy
    # (duplicate receipt, reused lines) is handed in a week to a month after its original
    # — a fraudster resubmits what was paid —, not in the same minute: with the copy next
    # to its original, which of the two the insurer saw first was a race of the clients.
    day = {c.key: c.treated_on + dt.timedelta(days=r.randint(0, 6)) for c in g.claims}
    for c in g.claims:
        if c.copies is not None:
            day[c.key] = day[c.copies] + dt.timedelta(days=r.randint(7, 30))
    placed = sorted(g.claims, key=lambda c: (day[c.key], r.random()))
    counts: dict[str, int] = {}
    for spec in placed:
        if spec.fraud:
            counts[spec.fraud] = counts.get(spec.fraud, 0) + 1
    return Stream(today, g.insureds, placed, counts, g.history)


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: the means here are small (a few claims a year at most)."""
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _history(
    g: Generator, book: list[Insured], rates: list[float], inpatient_share: float
) -> list[PastClaim]:
    """The book's claims before the stream, at each insured's own rate: treated from the
    end of the waiting period (or a year ago) to the day before the stream's window,
    with the visits, prices and settlement statements of the stream's honest claims and
    as many inpatient stays."""
    r, today = g.rng, g.today
    found: list[PastClaim] = []
    last = today - dt.timedelta(days=STREAM_DAYS + 1)
    for person, rate in zip(book, rates, strict=True):
        began = person.previous_start or person.policy_start
        first = max(began + dt.timedelta(days=WAITING_DAYS + 1), today - dt.timedelta(days=365))
        days = (last - first).days
        if days <= 0:
            continue
        for _ in range(_poisson(r, rate * days / 365)):
            on = first + dt.timedelta(days=r.randint(0, days))
            if r.random() < inpatient_share:
                diagnosis, lines = g.stay()
                cause = "illness"
            else:
                diagnosis, visit = g.visit_for(person, on)
                cause, lines = visit[0], g.visit_lines(visit)
            provider = g.provider_for(person, diagnosis)
            bill = g.bill(person, provider, on, lines, diagnosis=diagnosis)
            reported = min(on + dt.timedelta(days=r.randint(0, 6)), last)
            found.append(PastClaim(person.key, on, reported, diagnosis, cause, bill))
    return found


def _households(g: Generator, book: list[Insured]) -> None:
    """Spouses insured on separate policies, and older insureds with an adult child
    insured here too: the honest sharing of phones, and who bought whose policy — what
    the policy forms record as the insured's relation to the holder (docs/benchmarks.md;
    the generator decides it from its own shares, not from a check). An account is
    never shared: the automatic path pays the insured on an account in their own name
    (CLM-T2), so each spouse registers their own."""
    r = g.rng
    adults = [p for p in book if g.age(p, g.today) >= 22]
    single = {p.key: p for p in adults}
    by_sex = {
        sex: sorted((p for p in adults if p.sex == sex), key=lambda p: p.birth) for sex in "MF"
    }
    wanted = round(len(adults) * COUPLES / 2)
    for husband in r.sample(by_sex["M"], min(wanted, len(by_sex["M"]))):
        if husband.key not in single:
            continue
        # A wife within a few years of his age (the usual age gap: 0-5 years).
        near = [
            w
            for w in by_sex["F"]
            if w.key in single and -2 <= (w.birth - husband.birth).days // 365 <= 6
        ]
        if not near:
            continue
        wife = r.choice(near)
        del single[husband.key], single[wife.key]
        husband.spouse, wife.spouse = wife.key, husband.key
        g.family[husband.key] = g.family[wife.key] = "household"
        wife.near_clinic = husband.near_clinic
        if r.random() < COUPLE_ONE_PHONE:
            keeper, other = (husband, wife) if r.random() < 0.5 else (wife, husband)
            other.phone = keeper.phone
        if g.forms.random() < SPOUSE_BUYS:
            buyer, bought = (husband, wife) if g.forms.random() < 0.5 else (wife, husband)
            bought.holder_key, bought.holder_relationship = buyer.key, "spouse"
    children = [p for p in adults if 30 <= g.age(p, g.today) <= 50]
    for elder in (p for p in adults if g.age(p, g.today) >= 60):
        if not children or r.random() >= ELDER_WITH_CHILD:
            continue
        fitting = [c for c in children if 22 <= (c.birth - elder.birth).days // 365 <= 40]
        if not fitting:
            continue
        # One child for both parents: the spouse's child, when the spouse has one.
        spouse = g.insureds[elder.spouse] if elder.spouse is not None else None
        if spouse is not None and spouse.child is not None:
            child = g.insureds[spouse.child]
        else:
            child = r.choice(fitting)
        elder.child = child.key
        buys = r.random() < CHILD_BUYS_FOR_ELDER
        if spouse is not None and spouse.child == child.key:
            # The other parent's was drawn already: one order for both parents.
            buys = spouse.holder_key == child.key
        if buys and elder.holder_key is None:  # not bought by the spouse already
            elder.holder_key, elder.holder_relationship = child.key, "parent"
        if r.random() < ELDER_CHILD_PHONE:
            elder.phone = child.phone
            g.family[elder.key] = g.family[child.key] = "elder_child"


def _covered_from(person: Insured) -> dt.date:
    began = person.previous_start or person.policy_start
    return began + dt.timedelta(days=WAITING_DAYS + 1)


def _series(g: Generator, book: list[Insured]) -> None:
    """Honest series of visits consistent with a diagnosis: each visit an e-receipt and
    a claim — before the stream's window in the history, in it in the stream."""
    r, today = g.rng, g.today
    window = today - dt.timedelta(days=STREAM_DAYS)
    year = today - dt.timedelta(days=365)

    def days_from(start: dt.date, steps: tuple[int, ...], count: int) -> list[dt.date]:
        found, day = [], start
        for _ in range(count):
            found.append(day)
            day += dt.timedelta(days=r.choice(steps))
        return found

    plans: list[tuple[Insured, list[tuple[dt.date, str]]]] = []
    for person in book:
        age = g.age(person, today)
        if age < 18:
            continue
        if r.random() < DIALYSIS_PREVALENCE:
            # Maintenance haemodialysis: three sessions a week, for years.
            begun = today - dt.timedelta(days=r.randint(30, 3 * 365))
            days = days_from(max(begun, year), (2, 2, 3), 200)
            plans.append((person, [(d, "慢性肾脏病5期") for d in days]))
        if r.random() < PHYSIO_PER_YEAR * 405 / 365:
            # A physiotherapy course: 8-15 sessions, two or three a week.
            start = today - dt.timedelta(days=r.randint(1, 405))
            days = days_from(start, (2, 2, 3, 3, 4), r.randint(8, 15))
            plans.append((person, [(d, "腰痛康复") for d in days]))
        if person.sex == "F" and 22 <= age <= 40 and r.random() < PREGNANCY_PER_YEAR * 645 / 365:
            # Antenatal care (孕产期保健): monthly to week 28, fortnightly to 36, then weekly.
            conceived = today - dt.timedelta(days=r.randint(1, 645))
            weeks = (8, 12, 16, 20, 24, 28, 30, 32, 34, 36, 37, 38, 39)
            days = [
                conceived + dt.timedelta(days=7 * w + r.randint(-3, 3))
                for w in weeks
                if r.random() < PRENATAL_CLAIMED
            ]
            plans.append((person, [(d, "妊娠期检查") for d in days]))
        if age >= 40 and r.random() < CHEMO_PER_YEAR * 491 / 365:
            # Six cycles three weeks apart, a blood count a week into each.
            start = today - dt.timedelta(days=r.randint(1, 491))
            visits = []
            for cycle in range(6):
                day = start + dt.timedelta(days=21 * cycle + r.randint(0, 3))
                visits.append((day, "结肠恶性肿瘤化疗"))
                visits.append((day + dt.timedelta(days=r.randint(7, 10)), "结肠恶性肿瘤复查"))
            plans.append((person, visits))
    last = window - dt.timedelta(days=1)
    for person, visits in plans:
        covered = _covered_from(person)
        for on, diagnosis in visits:
            if on < covered or on < year or on >= today:
                continue  # not covered yet, before the book's year, or still to come
            visit = SERIES_VISITS[diagnosis]
            lines = g.visit_lines(visit)
            label = f"series:{diagnosis}"
            if on < window:
                bill = g.bill(person, g.provider_for(person, None), on, lines, diagnosis=diagnosis)
                reported = min(on + dt.timedelta(days=r.randint(0, 6)), last)
                g.history.append(PastClaim(person.key, on, reported, diagnosis, visit[0], bill))
            else:
                g.claim(person, on=on, lines=lines, diagnosis=diagnosis, lookalike=label)


def _flu_wave(g: Generator, book: list[Insured]) -> None:
    """A flu wave of FLU_WAVE_DAYS in the stream's window: an extra respiratory visit for
    FLU_ATTACK of the book, most of them around the wave's peak — at the neighbourhood
    clinic for half of those who live near it (its busy days)."""
    r, today = g.rng, g.today
    first = today - dt.timedelta(days=r.randint(FLU_WAVE_DAYS + 5, STREAM_DAYS - 10))
    for person in book:
        if r.random() >= FLU_ATTACK:
            continue
        on = first + dt.timedelta(days=round(r.triangular(0, FLU_WAVE_DAYS - 1)))
        if on < _covered_from(person) or on >= today:
            continue
        child = g.age(person, on) < 14
        diagnosis = "小儿感冒" if child else r.choice(("上呼吸道感染", "支气管炎"))
        visit = CHILD_VISITS[diagnosis] if child else VISITS[diagnosis]
        provider = g.provider_for(person, diagnosis)
        g.claim(
            person,
            on=on,
            lines=g.visit_lines(visit),
            diagnosis=diagnosis,
            cause=visit[0],
            provider=provider,
            lookalike="clinic" if provider == CLINIC else "flu",
        )


def _plant(g: Generator, per_kind: int, count: int) -> None:
    """Nine kinds of fraud, each as people commit it (docs/benchmarks.md)."""
    r = g.rng
    today = g.today

    def done() -> int:
        return sum(1 for c in g.claims if c.fraud)

    # 1. Duplicate receipt: a paid receipt handed in again — by a relative or friend on
    #    another policy (most), or by the same insured a few weeks later.
    start = done()
    originals = [c for c in g.claims if c.kind == "clean"]
    while done() - start < per_kind:
        original = r.choice(originals)
        person = g.insureds[original.insured]
        claimant = person if r.random() < 0.3 else g.insured()
        bill = {k: (dict(v) if isinstance(v, dict) else v) for k, v in original.bill.items()}
        receipt = dict(original.bill["receipt"])
        receipt["payer"] = {"name": claimant.name}
        bill["receipt"] = receipt
        g.add(
            ClaimSpec(
                key=len(g.claims),
                insured=claimant.key,
                kind="clean",
                fraud="duplicate_receipt",
                treated_on=original.treated_on,
                diagnosis=original.diagnosis,
                cause=original.cause,
                bill=bill,
                contact_phone=claimant.phone,
                copies=original.key,
            )
        )
    # 1b. Line-level reuse: a new receipt number, the costly lines copied from a receipt
    #     already claimed (same hospital, day, items and amounts), sometimes one line added.
    start = done()
    while done() - start < max(1, per_kind // 2):
        original = r.choice(originals)
        person = g.insureds[original.insured]
        claimant = person if r.random() < 0.5 else g.insured()
        receipt = original.bill["receipt"]
        lines = [dict(x) for x in receipt["items"]]
        if r.random() < 0.5:
            lines.append(g._line(r.choice(("vitamin", "ibuprofen", "omeprazole"))))
        provider = next(
            (h for h in (*HOSPITALS, CLINIC) if h[0] == receipt["issuer"]["name"]), HOSPITALS[0]
        )
        bill = g.bill(claimant, provider, original.treated_on, lines)
        g.add(
            ClaimSpec(
                key=len(g.claims),
                insured=claimant.key,
                kind="clean",
                fraud="duplicate_lines",
                treated_on=original.treated_on,
                diagnosis=original.diagnosis,
                cause=original.cause,
                bill=bill,
                contact_phone=claimant.phone,
                copies=original.key,
            )
        )
    # 2. Outside the period: insured after falling ill — treated before the policy began
    #    or within its first weeks (the waiting period the terms name).
    start = done()
    while done() - start < per_kind:
        person = g.insured(started_days_ago=(5, 80))
        if r.random() < 0.4:
            on = person.policy_start - dt.timedelta(days=r.randint(1, 20))
        else:
            on = person.policy_start + dt.timedelta(days=r.randint(1, 26))
        on = min(on, today - dt.timedelta(days=1))
        g.claim(person, fraud="outside_period", on=on)
    # 3. Sex/age: a relative's treatment billed on another insured's policy — a wife's
    #    gynaecology on the husband, a husband's urology on the wife, a child's medicine
    #    on a grandparent.
    start = done()
    while done() - start < per_kind:
        choice = r.random()
        if choice < 0.45:
            person = g.insured(sex="M", age=(28, 60))
            diagnosis = r.choice(sorted(FEMALE_VISITS))
            visit = FEMALE_VISITS[diagnosis]
        elif choice < 0.8:
            person = g.insured(sex="F", age=(45, 75))
            diagnosis, visit = "前列腺增生", MALE_VISITS["前列腺增生"]
        else:
            person = g.insured(age=(55, 78))
            diagnosis, visit = "小儿感冒", CHILD_VISITS["小儿感冒"]
        g.claim(
            person, fraud="sex_age", lines=g.visit_lines(visit), diagnosis=diagnosis, cause=visit[0]
        )
    # 4. Claim soon after the start: a policy bought for a planned treatment, claimed in
    #    the weeks after the waiting period, for more than the usual visit.
    start = done()
    while done() - start < per_kind:
        person = g.insured(started_days_ago=(35, 70))
        on = person.policy_start + dt.timedelta(days=r.randint(WAITING_DAYS + 1, WAITING_DAYS + 25))
        on = min(on, today - dt.timedelta(days=1))
        diagnosis = r.choice(("慢性胃炎", "腰椎间盘突出"))
        lines = g.visit_lines(VISITS[diagnosis], scale=r.uniform(1.5, 3.0))
        g.claim(person, fraud="early_claim", on=on, lines=lines, diagnosis=diagnosis)
    # 5. Just under the limit: one insured, three to five claims over months, each a
    #    little under the ¥5,000 they know is paid without questions (0.2–4 % under).
    start = done()
    while done() - start < per_kind:
        person = g.insured(started_days_ago=(200, 360))
        for _ in range(r.randint(3, 5)):
            aim = (LIMIT * Decimal(str(1 - r.uniform(0.002, 0.04)))).quantize(CENT)
            on = g.treated_on(person)
            lines = [g._line("expert"), g._line("mri"), g._line("ct")]
            rest = aim - sum(Decimal(x["amount"]) for x in lines)
            filler = g._line("biopsy")
            filler["quantity"] = "1"
            filler["unit_price"] = filler["amount"] = str(rest)
            lines.append(filler)
            g.claim(person, fraud="just_under_limit", on=on, lines=lines, diagnosis="腰椎间盘突出")
    # 6. Shared contact: a ring organiser buys policies for unrelated people and claims
    #    for them — with his own phone registered on their records, or as the claims'
    #    contact phone, or with the payouts going to one account (in each one's name).
    start = done()
    while done() - start < per_kind:
        organiser_phone = g.phone()
        organiser_account = g.account()
        mode = r.choice(("registered_phone", "contact_phone", "account"))
        for _ in range(r.randint(3, 6)):
            person = g.insured()
            if mode == "registered_phone":
                person.phone = organiser_phone
            elif mode == "account":
                person.account = organiser_account
            phone = organiser_phone if mode == "contact_phone" else None
            g.claim(person, fraud="shared_contact", phone=phone)
    # 7. Cluster at one provider: a clinic bills many unrelated insureds within days.
    start = done()
    while done() - start < per_kind:
        day0 = today - dt.timedelta(days=r.randint(8, 40))
        for _ in range(r.randint(max(3, count // 160), max(4, count // 80))):
            person = g.insured()
            on = day0 + dt.timedelta(days=r.randint(0, 4))
            g.claim(person, fraud="provider_cluster", on=on, provider=CLINIC)
    # 8. Frequency: one insured, many visits in a few weeks.
    start = done()
    while done() - start < per_kind:
        person = g.insured(started_days_ago=(120, 360))
        first = today - dt.timedelta(days=r.randint(40, 80))
        for _ in range(r.randint(5, 8)):
            g.claim(person, fraud="claim_frequency", on=first + dt.timedelta(days=r.randint(0, 38)))
    # 9. Amount far outside the usual: a common cold billed at thousands.
    start = done()
    while done() - start < per_kind:
        person = g.insured()
        diagnosis = r.choice(("上呼吸道感染", "急性胃肠炎", "支气管炎"))
        lines = g.visit_lines(VISITS[diagnosis], scale=r.uniform(8.0, 16.0))
        g.claim(person, fraud="amount_outlier", lines=lines, diagnosis=diagnosis)
