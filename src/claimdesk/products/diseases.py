"""Reference table: the 2020 critical-illness definitions (重大疾病保险的疾病定义使用规范
（2020年修订版）), 28 severe and 3 mild diseases, with stable codes.

CI-01..CI-06 are the six core severe diseases every adult critical-illness product must
cover (PRD-1); the codes are the ones the conformance vectors use.
"""

from __future__ import annotations

SEVERE: dict[str, str] = {
    "CI-01": "恶性肿瘤——重度",
    "CI-02": "较重急性心肌梗死",
    "CI-03": "严重脑中风后遗症",
    "CI-04": "重大器官移植术或造血干细胞移植术",
    "CI-05": "冠状动脉搭桥术（或称冠状动脉旁路移植术）",
    "CI-06": "严重慢性肾衰竭",
    "CI-07": "多个肢体缺失",
    "CI-08": "急性重症肝炎或亚急性重症肝炎",
    "CI-09": "严重非恶性颅内肿瘤",
    "CI-10": "严重慢性肝衰竭",
    "CI-11": "严重脑炎后遗症或严重脑膜炎后遗症",
    "CI-12": "深度昏迷",
    "CI-13": "双耳失聪",
    "CI-14": "双目失明",
    "CI-15": "瘫痪",
    "CI-16": "心脏瓣膜手术",
    "CI-17": "严重阿尔茨海默病",
    "CI-18": "严重脑损伤",
    "CI-19": "严重原发性帕金森病",
    "CI-20": "严重Ⅲ度烧伤",
    "CI-21": "严重特发性肺动脉高压",
    "CI-22": "严重运动神经元病",
    "CI-23": "语言能力丧失",
    "CI-24": "重型再生障碍性贫血",
    "CI-25": "主动脉手术",
    "CI-26": "严重慢性呼吸衰竭",
    "CI-27": "严重克罗恩病",
    "CI-28": "严重溃疡性结肠炎",
}

MILD: dict[str, str] = {
    "CIM-01": "恶性肿瘤——轻度",
    "CIM-02": "较轻急性心肌梗死",
    "CIM-03": "轻度脑中风后遗症",
}

# The six core diseases an adult critical-illness product must cover.
CORE_SEVERE: tuple[str, ...] = ("CI-01", "CI-02", "CI-03", "CI-04", "CI-05", "CI-06")

# The regulatory ceiling of a mild-disease benefit, as a fraction of the severe sum insured.
MILD_MAX_PERCENT = "0.20"


def name_of(code: str) -> str | None:
    return SEVERE.get(code) or MILD.get(code)
