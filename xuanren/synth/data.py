"""Tables the generator draws from: names, places, schools and the template of
a county's organs. Plain data, so that a reader can judge realism at a glance.

Weights are relative (they need not add up to 100)."""

from __future__ import annotations

# Surnames with their approximate share per ten thousand people (national
# surveys; the long tail is cut at about 0.05%). A few compound surnames keep
# name handling honest about two-character surnames.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 725), ("李", 719), ("张", 683), ("刘", 538), ("陈", 453), ("杨", 308),
    ("黄", 223), ("赵", 218), ("吴", 205), ("周", 191), ("徐", 158), ("孙", 151),
    ("马", 144), ("朱", 137), ("胡", 129), ("郭", 119), ("何", 117), ("高", 105),
    ("林", 101), ("罗", 87), ("郑", 83), ("梁", 80), ("谢", 71), ("宋", 66),
    ("唐", 63), ("许", 60), ("韩", 59), ("冯", 57), ("邓", 56), ("曹", 53),
    ("彭", 53), ("曾", 52), ("肖", 51), ("田", 49), ("董", 48), ("袁", 47),
    ("潘", 45), ("于", 45), ("蒋", 44), ("蔡", 43), ("余", 42), ("杜", 41),
    ("叶", 40), ("程", 39), ("苏", 38), ("魏", 37), ("吕", 36), ("丁", 35),
    ("任", 34), ("沈", 33), ("姚", 32), ("卢", 31), ("姜", 30), ("崔", 29),
    ("钟", 28), ("谭", 27), ("陆", 26), ("汪", 25), ("范", 24), ("金", 23),
    ("石", 22), ("廖", 21), ("贾", 20), ("夏", 19), ("韦", 18), ("付", 17),
    ("方", 16), ("白", 15), ("邹", 14), ("孟", 13), ("熊", 12), ("秦", 11),
    ("邱", 10), ("江", 10), ("尹", 10), ("薛", 9), ("闫", 9), ("段", 9),
    ("雷", 8), ("侯", 8), ("龙", 8), ("史", 8), ("陶", 7), ("黎", 7),
    ("贺", 7), ("顾", 7), ("毛", 7), ("郝", 6), ("龚", 6), ("邵", 6),
    ("万", 6), ("钱", 6), ("严", 6), ("覃", 6), ("武", 6), ("戴", 5),
    ("莫", 5), ("孔", 5), ("向", 5), ("汤", 5), ("应", 4), ("楼", 3),
    ("单", 2), ("欧阳", 2), ("司马", 0.5), ("诸葛", 0.3),
)  # fmt: skip

# Characters of given names. Two-character given names are about three in
# four; the rest are single characters.
MALE_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳建国峰亮成东"
    "海文志永兴春庆德祥荣新锋彬毅立晨卫江红光宏斌振家俊良国中力云"
)
FEMALE_CHARS = (
    "芳娜敏静丽艳娟霞燕玲桂英萍红梅琳雪慧倩婷洁颖晶莉琴云丹蓉薇佳怡雯欣悦璐"
    "瑶秀兰凤洁晓玉佩琼莹露梦珊月巧媛"
)
NEUTRAL_CHARS = "文晓春海小一子思雨嘉明永建志天金亚俊"
GIVEN_SINGLE_SHARE = 0.25

# 民族: 汉族 about 94%; the minorities most often met in eastern counties.
ETHNICITIES: tuple[tuple[str, float], ...] = (
    ("汉族", 940), ("畲族", 15), ("回族", 10), ("壮族", 8), ("满族", 7), ("土家族", 6),
    ("苗族", 5), ("蒙古族", 3), ("彝族", 2), ("朝鲜族", 1), ("藏族", 1), ("维吾尔族", 1),
    ("布依族", 1),
)  # fmt: skip

# (region code, place as 籍贯 prints it, first year the code was in force).
# check_id_number warns when a number uses a code younger than its holder, so
# the generator only gives a cadre a code already in force at their birth.
REGIONS: tuple[tuple[str, str, int], ...] = (
    ("330122", "浙江桐庐", 0),
    ("330127", "浙江淳安", 0),
    ("330324", "浙江永嘉", 1981),
    ("330327", "浙江苍南", 1981),
    ("330328", "浙江文成", 1981),
    ("330329", "浙江泰顺", 1981),
    ("330225", "浙江象山", 1983),
    ("330226", "浙江宁海", 1983),
    ("330421", "浙江嘉善", 1983),
    ("330424", "浙江海盐", 1983),
    ("330521", "浙江德清", 1983),
    ("330523", "浙江安吉", 1983),
    ("330624", "浙江新昌", 1983),
    ("330726", "浙江浦江", 1985),
    ("330727", "浙江磐安", 1985),
    ("330822", "浙江常山", 1985),
    ("330825", "浙江龙游", 1985),
    ("331022", "浙江三门", 1994),
    ("331024", "浙江仙居", 1994),
    ("331124", "浙江松阳", 2000),
    ("331126", "浙江庆元", 2000),
)
# Birthplaces outside the province, for the one cadre in twenty who moved in.
OTHER_REGIONS: tuple[tuple[str, str, int], ...] = (
    ("110105", "北京朝阳", 0),
    ("310104", "上海徐汇", 0),
    ("140121", "山西清徐", 0),
    ("210421", "辽宁抚顺", 0),
    ("222401", "吉林延吉", 0),
    ("410102", "河南郑州", 1983),
    ("420106", "湖北武汉", 1983),
    ("360102", "江西南昌", 1983),
    ("370102", "山东济南", 1983),
    ("350102", "福建福州", 1983),
)

# County names: first and second characters combined; none is meant to be a
# real county, though some may coincide with one.
COUNTY_FIRST = "青白云金玉龙凤清平安永丰长东西南新宁泰临"
COUNTY_SECOND = "山水溪川阳源泉林华江河岭田宁"
PLACE_FIRST = "石白大小龙凤高新黄青马桃柳梅竹松杉桥溪塘湖沙岩岭田峰虎鹤花杨双三"
PLACE_SECOND = "桥沙溪口湾坑头岭山塘田坪铺店埠港岙门源洋坞"
STREET_NAMES = ("城东", "城西", "城南", "城北", "城中", "江滨", "新城", "开发区")

UNIVERSITIES = (
    "浙江大学", "浙江工业大学", "浙江师范大学", "宁波大学", "杭州师范大学",
    "浙江财经大学", "浙江工商大学", "中国计量大学", "浙江农林大学", "温州大学",
    "浙江理工大学", "浙江海洋大学", "湖州师范学院", "绍兴文理学院", "嘉兴学院",
    "台州学院", "丽水学院", "衢州学院", "武汉大学", "南京大学", "华东师范大学",
    "中国人民大学", "安徽大学", "江西师范大学", "中南财经政法大学", "西南政法大学",
)  # fmt: skip
COLLEGES = (
    "浙江警官职业学院", "浙江金融职业学院", "杭州职业技术学院", "浙江经济职业技术学院",
    "浙江交通职业技术学院", "金华职业技术学院", "温州职业技术学院", "浙江广厦建设职业技术学院",
)  # fmt: skip
SECONDARY_SCHOOLS = (
    "浙江省农业学校",
    "浙江省财税学校",
    "浙江省粮食学校",
    "金华师范学校",
    "衢州卫生学校",
)
HIGH_SCHOOLS = ("县第一中学", "县第二中学", "县职业中学")
IN_SERVICE_SCHOOLS = (
    ("中央党校函授学院", "经济管理"),
    ("中央党校函授学院", "法律"),
    ("中共浙江省委党校", "行政管理"),
    ("中共浙江省委党校", "公共管理"),
    ("浙江广播电视大学", "汉语言文学"),
    ("浙江大学", "公共管理"),
    ("浙江工业大学", "工商管理"),
)
MAJORS = (
    "汉语言文学", "法学", "行政管理", "经济学", "会计学", "计算机科学与技术", "农学",
    "土木工程", "思想政治教育", "公共事业管理", "工商管理", "财政学", "新闻学", "历史学",
    "数学与应用数学", "英语", "临床医学", "环境工程", "城乡规划", "水利水电工程",
    "社会工作", "统计学", "审计学", "园林",
)  # fmt: skip

SPECIALTIES = (
    "熟悉党务工作", "熟悉组织人事工作", "熟悉经济工作", "熟悉财务管理", "熟悉基层工作",
    "熟悉农业农村工作", "熟悉城乡建设", "熟悉法律事务", "熟悉文字综合", "熟悉招商引资",
)  # fmt: skip
TRAININGS = (
    "{y}年度科级干部进修班", "{y}年中青年干部培训班", "{y}年度干部网络学院在线学习",
    "{y}年乡镇（街道）领导干部专题研讨班", "{y}年度公务员初任培训", "{y}年度党纪学习教育专题班",
)  # fmt: skip
SPOUSE_JOBS = (
    "县人民医院护士", "县第一中学教师", "县实验小学教师", "县农商银行职员", "个体经营",
    "县供电公司职员", "县自来水公司职员", "县市场监管局科员", "杭州某科技有限公司职员",
    "县人民医院医生", "县中医院药剂师", "无业", "县城投集团职员", "县邮政公司职员",
)  # fmt: skip

# ---- the county template ---------------------------------------------------
# Post templates: (title, level, category, principal, party-government
# principal, seats low, seats high, counts against quota). Levels and
# categories are the codes of org.models.Level and PostCategory.
PostRow = tuple[str, str, str, bool, bool, int, int, bool]

_P, _G, _I, _C, _N = "party", "government", "institution", "company", "internal"
_DP, _SP, _SD, _UP, _UD = (
    "division_deputy",
    "section_principal",
    "section_deputy",
    "subsection_principal",
    "subsection_deputy",
)

POST_TEMPLATES: dict[str, tuple[PostRow, ...]] = {
    "director_party": (("主任", _SP, _P, True, True, 1, 1, True), ("副主任", _SD, _P, False, False, 2, 4, True)),
    "director_gov": (("主任", _SP, _G, True, True, 1, 1, True), ("副主任", _SD, _G, False, False, 2, 4, True)),
    "ministry": (
        ("部长", _DP, _P, True, True, 1, 1, True),
        ("常务副部长", _SP, _P, False, False, 1, 1, True),
        ("副部长", _SD, _P, False, False, 2, 3, True),
    ),
    "commission": (
        ("书记", _DP, _P, True, True, 1, 1, True),
        ("常务副书记", _SP, _P, False, False, 1, 1, True),
        ("副书记", _SD, _P, False, False, 1, 2, True),
    ),
    "discipline": (
        ("书记、监委主任", _DP, _P, True, True, 1, 1, True),
        ("副书记、监委副主任", _SP, _P, False, False, 2, 2, True),
        ("常委、监委委员", _SD, _P, False, False, 2, 4, True),
    ),
    "work_committee": (("书记", _SP, _P, True, True, 1, 1, True), ("副书记", _SD, _P, False, False, 1, 2, True)),
    "bureau": (
        ("局长", _SP, _G, True, True, 1, 1, True),
        ("副局长", _SD, _G, False, False, 2, 4, True),
        ("挂职副局长", _SD, _G, False, False, 0, 1, False),
    ),
    "court": (
        ("院长", _DP, _G, True, True, 1, 1, True),
        ("副院长", _SP, _G, False, False, 2, 3, True),
        ("审判委员会专职委员", _SD, _G, False, False, 1, 1, True),
    ),
    "procuratorate": (
        ("检察长", _DP, _G, True, True, 1, 1, True),
        ("副检察长", _SP, _G, False, False, 2, 2, True),
        ("检察委员会专职委员", _SD, _G, False, False, 1, 1, True),
    ),
    "federation": (("主席", _SP, _G, True, True, 1, 1, True), ("副主席", _SD, _G, False, False, 1, 2, True)),
    "league": (("书记", _SP, _P, True, True, 1, 1, True), ("副书记", _SD, _P, False, False, 1, 2, True)),
    "party_school": (("常务副校长", _SP, _I, True, True, 1, 1, True), ("副校长", _SD, _I, False, False, 1, 2, True)),
    "town": (
        ("党委书记", _SP, _P, True, True, 1, 1, True),
        ("{head}", _SP, _G, True, True, 1, 1, True),
        ("人大主席", _SP, _G, True, False, 1, 1, True),
        ("党委副书记", _SD, _P, False, False, 1, 2, True),
        ("纪委书记", _SD, _P, False, False, 1, 1, True),
        ("组织委员", _SD, _P, False, False, 1, 1, True),
        ("宣传委员", _SD, _P, False, False, 1, 1, True),
        ("武装部长", _SD, _P, False, False, 1, 1, True),
        ("副{head}", _SD, _G, False, False, 2, 4, True),
        ("人大副主席", _SD, _G, False, False, 0, 1, True),
        ("挂职副{head}", _SD, _G, False, False, 0, 1, False),
    ),
    "street": (
        ("党工委书记", _SP, _P, True, True, 1, 1, True),
        ("主任", _SP, _G, True, True, 1, 1, True),
        ("党工委副书记", _SD, _P, False, False, 1, 2, True),
        ("纪工委书记", _SD, _P, False, False, 1, 1, True),
        ("武装部长", _SD, _P, False, False, 1, 1, True),
        ("副主任", _SD, _G, False, False, 2, 4, True),
    ),
    "hospital": (
        ("党委书记", _SP, _I, True, True, 1, 1, True),
        ("院长", _SP, _I, True, True, 1, 1, True),
        ("副院长", _SD, _I, False, False, 2, 3, True),
    ),
    "center": (("主任", _SP, _I, True, True, 1, 1, True), ("副主任", _SD, _I, False, False, 1, 3, True)),
    "company": (
        ("董事长", _SP, _C, True, True, 1, 1, True),
        ("总经理", _SP, _C, True, False, 1, 1, True),
        ("副总经理", _SD, _C, False, False, 1, 3, True),
    ),
    "school": (
        ("党支部书记", _UP, _I, True, True, 1, 1, True),
        ("校长", _UP, _I, True, True, 1, 1, True),
        ("副校长", _UD, _I, False, False, 1, 3, True),
    ),
    "station": (("{head}", _UP, _I, True, False, 1, 1, True), ("副{head}", _UD, _I, False, False, 0, 1, True)),
    "office": (("{head}", _UP, _N, True, False, 1, 1, True), ("副{head}", _UD, _N, False, False, 0, 2, True)),
}  # fmt: skip

# Organs of a county, most important first (a small county keeps the first).
# (name, short name, kind, post template, professional requirement of one
# deputy, internal offices). {c} is the county's name, e.g. 青山县.
OrganRow = tuple[str, str, str, str, str, tuple[str, ...]]
ORGANS: tuple[OrganRow, ...] = (
    ("中共{c}委办公室", "县委办", "party_organ", "director_party", "", ("秘书科", "综合科", "督查科", "信息科")),
    ("中共{c}委组织部", "县委组织部", "party_organ", "ministry", "", ("办公室", "组织科", "干部科", "干部监督科", "公务员管理科", "人才科")),
    ("{c}人民政府办公室", "县政府办", "government_department", "director_gov", "", ("秘书科", "综合科", "督查科")),
    ("{c}财政局", "县财政局", "government_department", "bureau", "财会相关专业", ("办公室", "预算股", "国库股", "农业股", "综合股")),
    ("{c}教育局", "县教育局", "government_department", "bureau", "", ("办公室", "人事股", "基础教育股", "计划财务股")),
    ("{c}纪委监委", "县纪委监委", "party_organ", "discipline", "", ("办公室", "党风政风监督室", "信访室", "案件监督管理室", "第一纪检监察室", "第二纪检监察室", "案件审理室")),
    ("中共{c}委宣传部", "县委宣传部", "party_organ", "ministry", "", ("办公室", "宣传科", "理论科", "新闻科")),
    ("{c}发展和改革局", "县发改局", "government_department", "bureau", "", ("办公室", "规划股", "投资股", "价格股")),
    ("{c}人力资源和社会保障局", "县人社局", "government_department", "bureau", "", ("办公室", "就业股", "劳动关系股", "事业单位人事管理股")),
    ("{c}自然资源和规划局", "县自然资源局", "government_department", "bureau", "城乡规划、测绘相关专业", ("办公室", "规划股", "耕地保护股", "不动产登记股")),
    ("{c}住房和城乡建设局", "县住建局", "government_department", "bureau", "土木工程相关专业", ("办公室", "建筑业管理股", "房地产市场监管股", "城建股")),
    ("{c}农业农村局", "县农业农村局", "government_department", "bureau", "农学相关专业", ("办公室", "乡村振兴股", "农村经营管理股", "种植业股")),
    ("{c}卫生健康局", "县卫健局", "government_department", "bureau", "医学相关专业", ("办公室", "医政股", "疾控股", "妇幼健康股")),
    ("{c}交通运输局", "县交通运输局", "government_department", "bureau", "", ("办公室", "规划建设股", "运输管理股")),
    ("{c}市场监督管理局", "县市场监管局", "government_department", "bureau", "", ("办公室", "登记注册股", "食品安全股", "质量发展股")),
    ("中共{c}委统战部", "县委统战部", "party_organ", "ministry", "", ("办公室", "党派科", "民族宗教科")),
    ("中共{c}委政法委员会", "县委政法委", "party_organ", "commission", "", ("办公室", "综治科", "执法监督科")),
    ("{c}审计局", "县审计局", "government_department", "bureau", "审计、会计相关专业", ("办公室", "财政审计股", "经济责任审计股")),
    ("{c}人民代表大会常务委员会办公室", "县人大办", "other_organ", "director_gov", "", ("秘书科", "联络科")),
    ("中国人民政治协商会议{c}委员会办公室", "县政协办", "other_organ", "director_gov", "", ("秘书科", "提案科")),
    ("{c}人民法院", "县法院", "other_organ", "court", "法学专业，通过法律职业资格考试", ("办公室", "立案庭", "刑事审判庭", "民事审判庭", "执行局")),
    ("{c}人民检察院", "县检察院", "other_organ", "procuratorate", "法学专业，通过法律职业资格考试", ("办公室", "第一检察部", "第二检察部")),
    ("{c}公安局", "县公安局", "government_department", "bureau", "", ("办公室", "治安大队", "刑事侦查大队", "交通警察大队")),
    ("{c}民政局", "县民政局", "government_department", "bureau", "", ("办公室", "社会救助股", "养老服务股")),
    ("{c}司法局", "县司法局", "government_department", "bureau", "法学专业", ("办公室", "法治督察股", "公共法律服务股")),
    ("中共{c}委机构编制委员会办公室", "县委编办", "party_organ", "director_party", "", ("综合科", "机构编制科")),
    ("中共{c}委巡察工作领导小组办公室", "县委巡察办", "party_organ", "director_party", "", ("综合科", "第一巡察组")),
    ("{c}水利局", "县水利局", "government_department", "bureau", "水利工程相关专业", ("办公室", "水资源股", "工程建设股")),
    ("{c}商务局", "县商务局", "government_department", "bureau", "", ("办公室", "外资外贸股")),
    ("{c}文化和广电旅游体育局", "县文广旅体局", "government_department", "bureau", "", ("办公室", "文化艺术股", "旅游发展股")),
    ("{c}退役军人事务局", "县退役军人局", "government_department", "bureau", "", ("办公室", "优抚股")),
    ("{c}应急管理局", "县应急管理局", "government_department", "bureau", "", ("办公室", "安全生产监管股")),
    ("{c}统计局", "县统计局", "government_department", "bureau", "统计学相关专业", ("办公室", "综合统计股")),
    ("{c}医疗保障局", "县医保局", "government_department", "bureau", "", ("办公室", "医药服务管理股")),
    ("{c}综合行政执法局", "县综合执法局", "government_department", "bureau", "", ("办公室", "执法一大队", "执法二大队")),
    ("{c}信访局", "县信访局", "government_department", "bureau", "", ("办公室", "接访股")),
    ("{c}科学技术局", "县科技局", "government_department", "bureau", "", ("办公室",)),
    ("{c}数据资源管理局", "县数据局", "government_department", "bureau", "计算机相关专业", ("办公室",)),
    ("中共{c}直属机关工作委员会", "县直机关工委", "party_organ", "work_committee", "", ("办公室",)),
    ("{c}总工会", "县总工会", "other_organ", "federation", "", ("办公室",)),
    ("共青团{c}委员会", "团县委", "other_organ", "league", "", ("办公室",)),
    ("{c}妇女联合会", "县妇联", "other_organ", "federation", "", ("办公室",)),
    ("{c}工商业联合会", "县工商联", "other_organ", "federation", "", ("办公室",)),
    ("{c}科学技术协会", "县科协", "other_organ", "federation", "", ("办公室",)),
    ("{c}残疾人联合会", "县残联", "other_organ", "federation", "", ("办公室",)),
)  # fmt: skip

# Public institutions and state companies: (name, short, kind, template,
# supervising organ's short name or "" for the county itself, professional
# requirement of one deputy).
INSTITUTIONS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("{c}人民医院", "县人民医院", "public_institution", "hospital", "县卫健局", "医学相关专业"),
    ("中共{c}委党校", "县委党校", "public_institution", "party_school", "", ""),
    ("{c}融媒体中心", "县融媒体中心", "public_institution", "center", "县委宣传部", ""),
    ("{c}城市建设投资集团有限公司", "县城投集团", "state_company", "company", "", "土木工程相关专业"),
    ("{c}疾病预防控制中心", "县疾控中心", "public_institution", "center", "县卫健局", "预防医学相关专业"),
    ("{c}中医院", "县中医院", "public_institution", "hospital", "县卫健局", "中医学相关专业"),
    ("{c}公共资源交易中心", "县公共资源交易中心", "public_institution", "center", "县政府办", ""),
    ("{c}社会保险事业管理中心", "县社保中心", "public_institution", "center", "县人社局", ""),
    ("{c}交通投资集团有限公司", "县交投集团", "state_company", "company", "", ""),
    ("{c}不动产登记服务中心", "县不动产登记中心", "public_institution", "center", "县自然资源局", ""),
    ("{c}农业技术推广中心", "县农技中心", "public_institution", "center", "县农业农村局", "农学相关专业"),
    ("{c}机关事务服务中心", "县机关事务中心", "public_institution", "center", "县政府办", ""),
    ("{c}档案馆", "县档案馆", "public_institution", "center", "县委办", ""),
    ("{c}国有资产经营有限公司", "县国资公司", "state_company", "company", "县财政局", "财会相关专业"),
    ("{c}图书馆", "县图书馆", "public_institution", "center", "县文广旅体局", ""),
    ("{c}水务集团有限公司", "县水务集团", "state_company", "company", "", ""),
)  # fmt: skip

COUNTY_SCHOOLS = (
    "{c}第一中学",
    "{c}第二中学",
    "{c}职业中等专业学校",
    "{c}实验小学",
    "{c}实验幼儿园",
)
TOWN_SCHOOLS = ("{t}中学", "{t}中心小学")
TOWN_OFFICES = (
    "党政办公室",
    "经济发展办公室",
    "社会事务管理办公室",
    "平安建设办公室",
    "农业农村办公室",
    "村镇建设办公室",
)
TOWN_STATIONS = (
    ("农业综合服务中心", "主任"),
    ("文化站", "站长"),
    ("便民服务中心", "主任"),
    ("财政所", "所长"),
)
