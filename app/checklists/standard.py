"""The checklists Anxun ships (标准检查表): a fresh database offers them (migration 0009 seeds
them, ``flask seed-demo`` adds any that is missing). They are data like any other checklist:
administrators and supervisors edit them in the app, which makes new versions.

* 五落实五到位: the enterprise's own safety-production duties (责任、管理、投入、培训、应急), from
  《安全生产法》(2021) and 《企业安全生产责任体系五落实五到位规定》(安监总办〔2015〕27号);
* 工贸企业重大事故隐患: the cases of 《工贸企业重大事故隐患判定标准》(应急管理部令第10号, 2023)
  that small enterprises meet (its general cases 第三条 and 第十四条, dust 第十一条, liquid-ammonia
  refrigeration 第十二条, confined spaces 第十三条, metallurgy 第四条) and, as its 第二条 leaves
  hazardous chemicals to their own criteria, the storage cases of 安监总管三〔2017〕121号. Every
  item is ``major_if_failed``: a failure is a 重大事故隐患;
* 九小场所消防安全: fire safety of small premises (shops, eateries, hostels, …), from
  《消防法》(2021) and the rules it names.

Pure data and no database access: the migration imports it.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

#: Ids of the shipped lists are derived from their keys, so a migration and ``seed-demo`` agree.
NAMESPACE = uuid.UUID("5b1d1c2e-7f0a-4c39-9a53-3f1f6d0e2a13")

SAFETY_LAW = "《中华人民共和国安全生产法》"
WLSWDW = "《企业安全生产责任体系五落实五到位规定》（安监总办〔2015〕27号）"
EMERGENCY_REGS = "《生产安全事故应急条例》"
ORDER_10 = "《工贸企业重大事故隐患判定标准》（应急管理部令第10号）"
HAZCHEM_121 = ("《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》"
               "（安监总管三〔2017〕121号）")
FIRE_LAW = "《中华人民共和国消防法》"


@dataclass(frozen=True)
class StandardItem:
    code: str
    text: str
    category: str
    basis: str
    requires_photo: bool = False
    major_if_failed: bool = False


@dataclass(frozen=True)
class StandardChecklist:
    key: str
    name: str
    industries: tuple[str, ...]
    description: str
    items: tuple[StandardItem, ...]

    @property
    def id(self) -> str:
        return str(uuid.uuid5(NAMESPACE, self.key))

    @property
    def version_id(self) -> str:
        return str(uuid.uuid5(NAMESPACE, f"{self.key}:v1"))

    def item_id(self, code: str) -> str:
        return str(uuid.uuid5(NAMESPACE, f"{self.key}:v1:{code}"))


def _o10(article: str) -> str:
    return f"{ORDER_10}{article}"


WU_LUOSHI = StandardChecklist(
    key="wu-luoshi-wu-daowei",
    name="五落实五到位（企业安全生产主体责任）",
    industries=(),
    description="安全责任、安全管理、安全投入、安全培训、应急救援五个方面是否落实到位。",
    items=(
        StandardItem("R1", "主要负责人是本单位安全生产第一责任人，"
                           "建立健全并落实全员安全生产责任制，"
                           "明确各岗位的责任人员、责任范围和考核标准", "management",
                     f"{SAFETY_LAW}第五条、第二十二条"),
        StandardItem("R2", "落实“党政同责、一岗双责”：企业负责人共同承担安全生产领导责任，"
                           "领导班子成员对分管范围内的安全生产工作负责", "management",
                     f"{WLSWDW}第一条、第二条"),
        StandardItem("R3", "成立安全生产委员会（领导小组），"
                           "由主要负责人担任主任，定期研究安全生产工作",
                     "management", f"{WLSWDW}第三条"),
        StandardItem("R4", "对承包、承租单位的安全生产工作统一协调、管理，签订安全生产管理协议，"
                           "明确各自的安全生产管理职责", "management", f"{SAFETY_LAW}第四十九条"),
        StandardItem("M1", "依法设置安全生产管理机构或者配备专职（兼职）安全生产管理人员",
                     "management", f"{SAFETY_LAW}第二十四条；{WLSWDW}第四条"),
        StandardItem("M2", "建立安全生产规章制度和岗位安全操作规程，并在作业现场公示", "management",
                     f"{SAFETY_LAW}第二十一条"),
        StandardItem("M3", "建立安全风险分级管控和隐患排查治理双重预防机制，"
                           "隐患排查治理情况如实记录"
                           "并向从业人员通报", "management", f"{SAFETY_LAW}第四条、第四十一条"),
        StandardItem("M4", "落实安全生产报告制度，定期报告本单位安全生产情况", "management",
                     f"{WLSWDW}第五条"),
        StandardItem("M5", "在有较大危险因素的生产经营场所和有关设施、设备上设置明显的安全警示标志",
                     "management", f"{SAFETY_LAW}第三十五条", requires_photo=True),
        StandardItem("M6", "安全设备经常性维护、保养并定期检测；"
                           "未关闭、破坏直接关系生产安全的监控、"
                           "报警、防护、救生设备和设施", "special_equipment",
                     f"{SAFETY_LAW}第三十六条", requires_photo=True),
        StandardItem("I1", "保证安全生产条件所必需的资金投入，按规定提取和使用安全生产费用",
                     "management", f"{SAFETY_LAW}第二十三条"),
        StandardItem("I2", "为从业人员提供符合国家标准或者行业标准的劳动防护用品，"
                           "并监督、教育其正确佩戴、使用", "management",
                     f"{SAFETY_LAW}第四十五条", requires_photo=True),
        StandardItem("I3", "依法参加工伤保险；属于国家规定的高危行业、领域的，投保安全生产责任保险",
                     "management", f"{SAFETY_LAW}第五十一条"),
        StandardItem("T1", "主要负责人和安全生产管理人员具备与本单位生产经营活动相应的安全生产知识"
                           "和管理能力，按规定经考核合格", "management", f"{SAFETY_LAW}第二十七条"),
        StandardItem("T2", "对从业人员进行安全生产教育和培训，未经培训合格的不上岗作业，"
                           "建立教育和培训档案", "management", f"{SAFETY_LAW}第二十八条"),
        StandardItem("T3", "特种作业人员经专门的安全作业培训，取得相应资格后上岗作业", "management",
                     f"{SAFETY_LAW}第三十条"),
        StandardItem("T4", "采用新工艺、新技术、新材料或者使用新设备时，对从业人员进行专门的安全"
                           "生产教育和培训", "management", f"{SAFETY_LAW}第二十九条"),
        StandardItem("E1", "制定生产安全事故应急救援预案，与当地政府预案相衔接，并定期组织演练",
                     "emergency", f"{SAFETY_LAW}第八十一条；{EMERGENCY_REGS}第五条、第八条"),
        StandardItem("E2", "配备必要的应急救援器材、设备和物资，经常性维护、保养，保证正常运转",
                     "emergency", f"{EMERGENCY_REGS}第十三条", requires_photo=True),
        StandardItem("E3", "从业人员知晓本岗位的危险因素、防范措施和事故应急措施", "emergency",
                     f"{SAFETY_LAW}第四十四条"),
        StandardItem("E4", "生产经营场所和员工宿舍设有符合紧急疏散要求、标志明显、保持畅通的出口"
                           "和疏散通道，未被占用、锁闭、封堵", "emergency",
                     f"{SAFETY_LAW}第四十二条", requires_photo=True),
    ),
)

GONGMAO_MAJOR = StandardChecklist(
    key="gongmao-major-hazards-2023",
    name="工贸企业重大事故隐患判定（应急管理部令第10号）",
    industries=("manufacturing", "warehousing", "hazardous_chemicals"),
    description=("《工贸企业重大事故隐患判定标准》（2023年5月15日起施行）中小微企业常见的情形："
                 "通用（第三条、第十四条）、粉尘涉爆（第十一条）、液氨制冷（第十二条）、"
                 "有限空间作业（第十三条）、冶金（第四条）；危险化学品储存依第二条适用"
                 "安监总管三〔2017〕121号。任一项不符合即判定为重大事故隐患。"),
    items=(
        StandardItem("G1", "对承包单位、承租单位的安全生产工作统一协调、管理，并定期进行安全检查",
                     "management", _o10("第三条第（一）项"), major_if_failed=True),
        StandardItem("G2", "特种作业人员按照规定经专门的安全作业培训并取得相应资格后上岗作业",
                     "management", _o10("第三条第（二）项"), major_if_failed=True),
        StandardItem("G3", "金属冶炼企业主要负责人、安全生产管理人员按照规定经考核合格",
                     "management", _o10("第三条第（三）项"), major_if_failed=True),
        StandardItem("G4", "直接关系生产安全的监控、报警、防护等设施、设备、装置正常运行、使用，"
                           "无失效或者无效", "special_equipment", _o10("第十四条"),
                     requires_photo=True, major_if_failed=True),
        StandardItem("D1", "粉尘爆炸危险场所未设置在非框架结构的多层建（构）筑物内，场所内未设员工"
                           "宿舍、会议室、办公室、休息室等人员聚集场所", "dust",
                     _o10("第十一条第（一）项"), requires_photo=True, major_if_failed=True),
        StandardItem("D2", "不同类别的可燃性粉尘、可燃性粉尘与可燃气体等易加剧爆炸危险的介质未共用"
                           "一套除尘系统，不同建（构）筑物、不同防火分区的除尘系统未共用、未互联互通",
                     "dust", _o10("第十一条第（二）项"), requires_photo=True,
                     major_if_failed=True),
        StandardItem("D3", "干式除尘系统采取了泄爆、惰化、抑爆等至少一种爆炸防控措施", "dust",
                     _o10("第十一条第（三）项"), requires_photo=True, major_if_failed=True),
        StandardItem("D4", "铝镁等金属粉尘除尘系统未采用正压除尘方式；"
                           "其他可燃性粉尘除尘系统采用正压"
                           "吹送粉尘时，采取了火花探测消除等防范点燃源措施", "dust",
                     _o10("第十一条第（四）项"), requires_photo=True, major_if_failed=True),
        StandardItem("D5", "除尘系统未采用重力沉降室除尘，未采用干式巷道式构筑物作为除尘风道",
                     "dust", _o10("第十一条第（五）项"), requires_photo=True,
                     major_if_failed=True),
        StandardItem("D6", "铝镁等金属粉尘、木质粉尘的干式除尘系统设置了锁气卸灰装置", "dust",
                     _o10("第十一条第（六）项"), requires_photo=True, major_if_failed=True),
        StandardItem("D7", "除尘器、收尘仓等划分为20区的粉尘爆炸危险场所电气设备符合防爆要求",
                     "dust", _o10("第十一条第（七）项"), requires_photo=True,
                     major_if_failed=True),
        StandardItem("D8", "粉碎、研磨、造粒等易产生机械点燃源的工艺设备前设置了铁、"
                           "石等杂物去除装置；"
                           "木制品加工企业与砂光机连接的风管设置了火花探测消除装置", "dust",
                     _o10("第十一条第（八）项"), requires_photo=True, major_if_failed=True),
        StandardItem("D9", "遇湿自燃金属粉尘收集、堆放、"
                           "储存场所采取通风等防止氢气积聚措施，干式收集、"
                           "堆放、储存场所采取防水、防潮措施", "dust", _o10("第十一条第（九）项"),
                     requires_photo=True, major_if_failed=True),
        StandardItem("D10", "落实粉尘清理制度，作业现场无严重积尘", "dust",
                     _o10("第十一条第（十）项"), requires_photo=True, major_if_failed=True),
        StandardItem("A1", "包装、分割、产品整理场所的空调系统未采用氨直接蒸发制冷", "chemicals",
                     _o10("第十二条第（一）项"), requires_photo=True, major_if_failed=True),
        StandardItem("A2", "快速冻结装置设置在单独的作业间内，作业间内作业人员不超过9人",
                     "chemicals", _o10("第十二条第（二）项"), requires_photo=True,
                     major_if_failed=True),
        StandardItem("L1", "对存在硫化氢、一氧化碳等中毒风险的有限空间进行辨识、建立安全管理台账，"
                           "并设置明显的安全警示标志", "confined_space",
                     _o10("第十三条第（一）项"), requires_photo=True, major_if_failed=True),
        StandardItem("L2", "有限空间作业落实作业审批，执行“先通风、再检测、后作业”，"
                           "作业现场设置监护人员", "confined_space", _o10("第十三条第（二）项"),
                     major_if_failed=True),
        StandardItem("Y1", "会议室、活动室、休息室、操作室、"
                           "交接班室、更衣室（含澡堂）等人员聚集场所"
                           "及钢铁水罐冷（热）修工位未设置在铁水、钢水、液渣吊运跨的地坪区域内",
                     "machinery", _o10("第四条第（一）项"), requires_photo=True,
                     major_if_failed=True),
        StandardItem("Y2", "生产期间冶炼、精炼和铸造生产区域的事故坑、"
                           "炉下渣坑，以及熔融金属泄漏和喷溅"
                           "影响范围内的炉前平台、炉基区域、吊运和地面运输通道等区域无积水",
                     "machinery", _o10("第四条第（二）项"), requires_photo=True,
                     major_if_failed=True),
        StandardItem("Y3", "煤气设施附近的人员聚集场所和可能发生煤气泄漏、积聚的场所设置固定式"
                           "一氧化碳浓度监测报警装置，监测数据接入24小时有人值守场所", "gas",
                     _o10("第四条第（六）项"), requires_photo=True, major_if_failed=True),
        StandardItem("H1", "按国家标准分区分类储存危险化学品，未超量、超品种储存，"
                           "相互禁配物质未混放混存", "chemicals", f"{HAZCHEM_121}第二十项",
                     requires_photo=True, major_if_failed=True),
        StandardItem("H2", "涉及可燃和有毒有害气体泄漏的场所按国家标准设置检测报警装置，"
                           "爆炸危险场所按国家标准安装使用防爆电气设备", "chemicals",
                     f"{HAZCHEM_121}第十二项", requires_photo=True, major_if_failed=True),
        StandardItem("H3", "安全阀、爆破片等安全附件正常投用", "chemicals",
                     f"{HAZCHEM_121}第十五项", requires_photo=True, major_if_failed=True),
        StandardItem("H4", "危险化学品经营单位主要负责人和安全生产管理人员依法经考核合格",
                     "chemicals", f"{HAZCHEM_121}第一项", major_if_failed=True),
    ),
)

NINE_SMALL_FIRE = StandardChecklist(
    key="nine-small-premises-fire",
    name="九小场所消防安全检查",
    industries=("retail", "catering", "hotel", "education", "healthcare", "other"),
    description=("小商店、小餐饮、小旅馆、小歌舞娱乐、小网吧、小美容洗浴、小学校（幼儿园）、"
                 "小医院、小生产加工企业等场所的消防安全检查。"),
    items=(
        StandardItem("F1", "安全出口、疏散通道畅通，未被占用、堵塞、封闭或者锁闭", "fire",
                     f"{FIRE_LAW}第十六条第一款第（四）项、第二十八条", requires_photo=True),
        StandardItem("F2", "疏散指示标志和应急照明灯完好有效，断电后能正常点亮", "fire",
                     f"{FIRE_LAW}第十六条第一款第（二）项"),
        StandardItem("F3", "按规定配置灭火器，压力正常、在有效期内，摆放在明显、便于取用的位置",
                     "fire", f"{FIRE_LAW}第十六条第一款第（二）项", requires_photo=True),
        StandardItem("F4", "室内消火栓（如有）未被埋压、圈占、遮挡，水带、水枪齐全", "fire",
                     f"{FIRE_LAW}第二十八条"),
        StandardItem("F5", "电气线路敷设规范、穿管保护，无私拉乱接、老化破损，未使用不合格电器产品",
                     "electrical", f"{FIRE_LAW}第二十七条", requires_photo=True),
        StandardItem("F6", "未在室内、楼道和疏散通道停放电动自行车或者为其充电，无私拉电线充电",
                     "electrical", f"{FIRE_LAW}第二十八条", requires_photo=True),
        StandardItem("F7", "经营、生产、储存场所内无人员住宿（不“三合一”）；确需合用的，住宿部分与"
                           "其他部分防火分隔，并设独立的疏散设施", "fire",
                     f"{FIRE_LAW}第十九条；《住宿与生产储存经营合用场所消防安全技术要求》"
                     "（XF 703）", requires_photo=True),
        StandardItem("F8", "门窗未设置影响逃生和灭火救援的防盗网、广告牌等障碍物", "fire",
                     f"{FIRE_LAW}第二十八条", requires_photo=True),
        StandardItem("F9", "燃气管道、阀门完好，连接软管未老化，使用燃气的厨房按规定安装可燃气体"
                           "报警装置", "gas", "《城镇燃气管理条例》第二十八条；"
                     "《燃气工程项目规范》（GB 55009）", requires_photo=True),
        StandardItem("F10", "无违规使用明火和吸烟，易燃易爆物品按规定存放", "fire",
                     f"{FIRE_LAW}第二十一条"),
        StandardItem("F11", "室内装修未使用易燃可燃材料（如泡沫夹芯彩钢板）搭建隔间、阁楼", "fire",
                     f"{FIRE_LAW}第二十六条", requires_photo=True),
        StandardItem("F12", "明确消防安全责任人和管理人，建立消防安全制度，开展防火检查、巡查",
                     "management", f"{FIRE_LAW}第十六条第一款第（一）项、第（五）项；"
                     "《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）"),
        StandardItem("F13", "员工会报火警、会扑救初起火灾、会组织疏散逃生，定期开展消防演练",
                     "emergency", f"{FIRE_LAW}第十六条第一款第（六）项"),
    ),
)

#: Every shipped checklist, in the order they are offered.
STANDARD_CHECKLISTS: tuple[StandardChecklist, ...] = (WU_LUOSHI, GONGMAO_MAJOR, NINE_SMALL_FIRE)


def seed_rows(now: datetime | None = None) -> tuple[list[dict], list[dict], list[dict]]:
    """``(checklists, versions, items)`` rows of every shipped checklist at version 1."""
    now = now or datetime.now(timezone.utc)
    checklists, versions, items = [], [], []
    for standard in STANDARD_CHECKLISTS:
        checklists.append({
            "id": standard.id, "name": standard.name, "industries": list(standard.industries),
            "description": standard.description, "active": True, "standard_key": standard.key,
            "created_at": now, "updated_at": now, "version": 1})
        versions.append({
            "id": standard.version_id, "checklist_id": standard.id, "version": 1,
            "name": standard.name, "industries": list(standard.industries),
            "description": standard.description, "created_at": now})
        for position, item in enumerate(standard.items, start=1):
            items.append({
                "id": standard.item_id(item.code), "version_id": standard.version_id,
                "position": position, "code": item.code, "text": item.text,
                "category": item.category, "basis": item.basis,
                "requires_photo": item.requires_photo,
                "major_if_failed": item.major_if_failed})
    return checklists, versions, items
