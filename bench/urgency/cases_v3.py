"""Issue 23, held-out set v3: a fresh blind test of the urgency detector (SYNTHETIC: invented for this project,
no citizen's words; nothing taken from ../shared/data, which is for evaluation only).

    .venv/bin/python bench/urgency/cases_v3.py     # writes shequ/appeals/data/urgency_heldout_v3.jsonl

Written and committed BEFORE the third pass changed the detector, and never trained on, tuned on or read
for errors until the one final evaluation (bench/urgency/RESULTS.md says the order of events). Unlike the
first held-out file, every text here is its own sentence (no wrappings of one core): 140 emergencies, fourteen
for each of the ten kinds, and 142 non-emergencies (ten near misses for each kind that borrow its words without
a danger now: the past, advice and procedure, hazards to fix in days, figures of speech; and 42 ordinary
appeals). Styles, tagged per text: plain, colloquial, dialect (Cantonese- or Hakka-flavoured Mandarin as
Shenzhen residents type it: 屋企, 火烛, 电亲, 跌亲, 晕低, 𨋢, 𠊎, 屋下, 细人仔), typo (homophones typed on a
phone), long (the point buried between other complaints), elder and child (whose situation it is).
One line per text: {"synthetic": true, "text", "urgent", "kind", "style", "core"}.
"""

from __future__ import annotations

import json
from pathlib import Path

SYNTHETIC = True
OUT = Path(__file__).resolve().parents[2] / "shequ" / "appeals" / "data" / "urgency_heldout_v3.jsonl"
CORE_BASE = 30000  # core numbers of their own: no clash with the other files' cores

# (kind, style, text)
URGENT_V3: list[tuple[str, str, str]] = [
    # fire
    ("fire", "colloquial", "快来啊！！我们楼下那个小饭店厨房烧起来了，火都窜到二楼窗口了"),
    ("fire", "dialect", "唔得了，隔篱屋火烛啊，啲烟好大，快啲派人嚟"),
    ("fire", "typo", "5栋3楼有户人家起伙了，窗户一直往外喷黑焰"),
    (
        "fire",
        "long",
        "你好，我是梅林三村的住户，之前反映过楼下夜宵摊的噪音问题一直没解决，今天想再问问进度。另外刚刚下楼倒垃圾"
        "的时候发现垃圾房里面在烧，火已经蹿出来了，旁边就是电动车棚。还有就是小区的绿化带好久没修剪了。",
    ),
    ("fire", "elder", "我一个人在家，腿脚不好走不动，厨房的锅烧着了，烟越来越多，我出不去"),
    ("fire", "child", "家里就我和弟弟，爸妈还没下班，房间里的取暖器把被子点着了，好多烟，我好害怕"),
    ("fire", "plain", "地下车库有辆电动车电池在滋滋响然后砰的一下就烧起来了，整个车库都是烟"),
    ("fire", "plain", "城中村握手楼一楼的铺子起火了，巷子太窄消防车进不来，楼上还有人"),
    ("fire", "dialect", "𠊎屋下隔壁烧火了，火好大，阿婆还在里面冇出来"),
    ("fire", "plain", "工厂宿舍楼里面冒出好浓的烟，还闻到塑料烧焦的味道，有人在上面喊"),
    ("fire", "plain", "充电宝在枕头边爆了，床单烧了一大块，火还没灭"),
    ("fire", "plain", "山上那片树林烧着了，火线往我们小区后山这边过来"),
    (
        "fire",
        "long",
        "您好，想反映几件事：一是我们这栋楼的楼道灯坏了两个星期了，二是快递柜老是满，三是我现在闻到很浓的焦味，"
        "对面那户门底下在冒烟，敲门没人应，麻烦快点派人来看看。四是垃圾分类的桶放得太远。",
    ),
    ("fire", "plain", "KTV包厢里突然冒烟，走廊都是浓烟，大家都在往外跑，还有人在里面"),
    # gas
    ("gas", "elder", "一进家门就闻到好冲的煤气味，我奶奶躺在沙发上叫不太醒"),
    ("gas", "dialect", "楼梯口成阵煤气味，好臭好臭，唔知边度漏，我哋唔敢开灯"),
    ("gas", "typo", "厨房里天燃气的味道很重，阀门关了还是有嘶嘶声"),
    ("gas", "plain", "楼下早餐店的液化气瓶接口在呲呲漏气，老板不在，旁边人还在抽烟"),
    (
        "gas",
        "long",
        "我们是华强北那边的租户，房东一直不肯修热水器，我们已经跟他说了好多次了。今天早上起来整个出租屋都是燃气味，"
        "我室友头很晕还想吐，我们现在在楼道里不敢回去。另外房东还乱涨房租。",
    ),
    ("gas", "elder", "我妈一个人在家，她打电话说家里好大一股怪味像臭鸡蛋，她不懂关阀门"),
    ("gas", "plain", "挖地铁的把路边的燃气管挖穿了，呼呼往外喷，路上车还在过"),
    ("gas", "plain", "整个单元都是刺鼻的味道，好几家都闻到了，有人说是燃气管漏了"),
    ("gas", "typo", "我屋里媒气灶关了还是有很重的媒气味，头好晕"),
    ("gas", "plain", "餐厅后厨燃气报警器一直叫，师傅说管子接头松了在漏"),
    ("gas", "child", "我是小学生，家里就我一个人，厨房的煤气灶没有火了但是一直在嘶嘶响，很臭"),
    ("gas", "dialect", "𠊎屋下煤气罐好像坏了，一直有气冲出来，毋知么个办"),
    ("gas", "plain", "车库里的天然气管道有个地方结了霜还在嘶嘶响，味道很大"),
    ("gas", "colloquial", "我靠这楼道什么味儿啊，煤气味呛得人喘不上气，赶紧来人查"),
    # electricity
    ("electricity", "child", "台风把一根电线吹断了，掉在小区门口的积水里，水面在冒泡，有小孩在旁边玩"),
    ("electricity", "dialect", "我老公修灯嗰阵电亲，依家瘫喺度冇反应"),
    ("electricity", "typo", "刚才邻居摸楼下铁门处电了，手麻到现在，门还带电"),
    ("electricity", "elder", "我公公在阳台晾衣服，碰到那根电线整个人弹开了，现在躺地上说不出话"),
    ("electricity", "child", "孩子拿铁丝捅插座，被电得哇哇大哭，手指黑了一块"),
    (
        "electricity",
        "long",
        "你好，我们这边是龙岗布吉的老小区，最近下水道老是堵，物业说要等统一疏通。刚才下大雨，我看见单元门口的配电箱"
        "泡在水里，啪啪地闪火花，住户进出都要从那里过，怕出事。顺便问一下停车月卡的事。",
    ),
    ("electricity", "plain", "电动车充电的线被老鼠咬破了，铁皮车棚整个都带电，有人碰了被打了一下"),
    ("electricity", "plain", "高压电线垂得很低，快碰到楼顶了，还在滋滋响，楼顶有人晒被子"),
    ("electricity", "plain", "路灯杆底下的盖子掉了，里面的线露在外面，刚下完雨有人踩到了抽了一下倒地"),
    ("electricity", "plain", "工地有个工人碰到电缆，人就倒下去了，现在没反应"),
    ("electricity", "colloquial", "卧槽插排那里噼里啪啦的冒蓝光，电线皮都熔了，空气开关也跳不下来"),
    ("electricity", "dialect", "𠊎屋下门口的电线断了搭在铁栏杆上，阿伯碰一下就麻，毋敢出门"),
    ("electricity", "plain", "鱼塘边上的抽水泵漏电，有人下去捞东西就倒在水里了"),
    ("electricity", "child", "地铁站出口那块积水有电，好几个人走过去都说脚麻，还有小孩要过"),
    # trapped
    ("trapped", "elder", "电梯突然往下掉了几层才停，门打不开，我和我妈在里面，她有心脏病"),
    ("trapped", "dialect", "部𨋢坏咗，我同个仔困喺入面成半个钟，冇人理"),
    ("trapped", "typo", "电悌卡在9楼跟10楼之间，里面有个外卖员在拍门，一直叫"),
    ("trapped", "child", "我和同学在电梯里，电梯不动了，灯也黑了，按警铃没有人回"),
    ("trapped", "elder", "老爷子把自己关在阳台外面了，门从里面扣上了，这么大太阳他八十多岁了"),
    (
        "trapped",
        "long",
        "我在这个小区住了七年，物业的电梯维保一直做得很差，这个我下次再说。现在是这样：二单元的电梯卡住了，里面关着"
        "一个抱小孩的阿姨，已经二十多分钟了，物业电话打不通，孩子哭得很厉害。麻烦尽快。另外二单元的门禁也坏了。",
    ),
    ("trapped", "plain", "停车场的升降机卡在半空了，司机还坐在车里下不来"),
    ("trapped", "child", "小孩被锁在车里了，家长去买东西找不到，车窗关着，外面三十多度"),
    ("trapped", "plain", "有个工人被困在地下管道里，上面的人喊他没回音"),
    ("trapped", "plain", "防盗门坏了，我老婆怀着孕一个人在家出不来，她说肚子痛"),
    ("trapped", "dialect", "𠊎阿姆困在电梯肚里，电梯毋会动，佢喊救命"),
    ("trapped", "plain", "仓库卷帘门突然掉下来，一个员工被压在下面拉不出来"),
    ("trapped", "child", "有个小朋友的头卡在防盗网里面了，拔不出来，一直在哭"),
    ("trapped", "colloquial", "救急！！我们公司十几个人困在电梯里，空气不好有人快喘不过气了"),
    # fall_injury
    ("fall_injury", "plain", "有个工人在外墙刷漆，吊篮翻了，人吊在十几楼晃"),
    ("fall_injury", "dialect", "阿婆喺楼梯度跌亲，个头撞到梯级，流咗好多血，起唔到身"),
    ("fall_injury", "typo", "我爸从梯子上摔到了，腿骨好像露出来了，痛得直叫"),
    ("fall_injury", "child", "三楼有个小孩骑在窗台上，半个身子在外面，屋里好像没大人"),
    ("fall_injury", "elder", "楼下阿伯骑三轮车翻到沟里了，压在车下面起不来"),
    (
        "fall_injury",
        "long",
        "你好，想投诉一下我们这里的路灯好几天没亮了，晚上很黑。刚刚就是因为太黑，一个骑电动车的小伙子撞到路边的"
        "石墩上飞出去了，躺在地上头在流血，现在围了一圈人。还有这边的垃圾桶也不够。",
    ),
    ("fall_injury", "plain", "小区门口一辆泥头车把行人撞了，人卡在车轮边上"),
    ("fall_injury", "plain", "有人从二楼的雨棚上掉下来了，腿扭成奇怪的样子，动不了"),
    ("fall_injury", "child", "幼儿园滑梯那里有个小朋友摔下来磕到头，吐了，还一直想睡"),
    ("fall_injury", "plain", "外卖员在楼梯上踩空滚下来了，手臂骨头戳出来了"),
    ("fall_injury", "plain", "马路中间的井盖塌了，一个阿姨连人带车掉下去了，只看到头"),
    ("fall_injury", "dialect", "𠊎阿爸在屋顶修瓦，跌下来了，脚断了，毋会行"),
    ("fall_injury", "colloquial", "卧槽刚才楼上掉了一块砖下来砸到一个路人头上，血流了一地"),
    ("fall_injury", "plain", "打篮球的时候有个学生被撞倒，后脑勺着地，现在叫他都不太应"),
    # water
    ("water", "child", "有个小孩在江边玩水被浪冲走了，他爸跳下去救也没上来"),
    ("water", "dialect", "条河好大水，有个后生仔跌咗落去，喺度挣扎，救命啊"),
    ("water", "typo", "水库有人逆水了，在水里一沉一浮"),
    ("water", "child", "我弟弟掉到小区的景观池里了，水很深，我拉不上来"),
    ("water", "elder", "暴雨水已经漫到床边了，我瘫在床上的老母亲搬不动，水还在涨"),
    (
        "water",
        "long",
        "您好，我是西乡的居民，之前投诉过河边步道的护栏掉漆的事情。今天下午我在那边散步，看见一个老人家钓鱼的时候"
        "滑下河堤，现在人在水里抓着一根树枝，水流很急，我够不到他。另外那个步道晚上的灯也不亮。",
    ),
    ("water", "plain", "地下停车场突然灌水，好几辆车里面还有人，水已经淹到车门了"),
    ("water", "plain", "山洪下来了，村口的小桥被冲垮，有个骑摩托的人连车被冲进河里"),
    ("water", "plain", "海边有人被离岸流拉出去了，一直在招手，救生员不在"),
    ("water", "child", "泳池救生员走开了，有个孩子在深水区扑腾，已经沉了两次"),
    ("water", "dialect", "𠊎个细人仔跌落鱼塘了，水好深，快来人"),
    ("water", "plain", "河道涨水，有几个学生被困在河中间的沙洲上，水一直涨"),
    ("water", "colloquial", "靠！有人开车冲进了内涝的隧道，车子浮起来了，人还在里面拍窗户"),
    ("water", "plain", "一个醉汉从码头掉进海里了，没看到他浮起来"),
    # structure
    ("structure", "plain", "隔壁楼整栋在倾斜，墙上的裂缝一晚上变大了好多，还听到咔咔的声音，楼里还有住户"),
    ("structure", "dialect", "我屋企天花板成块塌落嚟，差啲砸中个女，仲有啲喺度跌"),
    ("structure", "typo", "工地的基坑边坍榻了，旁边的围墙也在往下滑，路上还有行人"),
    ("structure", "elder", "阿婆住的那间老瓦房，屋顶的梁断了，瓦一块块往下掉，她还在屋里"),
    ("structure", "child", "学校门口那堵围墙歪了在往外倒，放学的小孩都贴着墙走"),
    (
        "structure",
        "long",
        "反映一个情况：我们小区物业换了新公司以后服务差了很多，绿化也没人管。今天早上我出门发现5栋和6栋之间那条路"
        "塌了一个大坑，已经有半辆车陷进去了，坑边还在往下掉土，旁边是地下车库。另外小区的快递站太挤。",
    ),
    ("structure", "plain", "台风把楼顶的铁皮棚整块掀起来了，挂在半空晃，下面是马路"),
    ("structure", "plain", "商场二楼的玻璃幕墙裂了，一片一片往下掉，下面人很多"),
    ("structure", "plain", "老楼的阳台在往外倾，栏杆和墙之间裂开一指宽的缝，阳台上还有人"),
    ("structure", "plain", "地铁施工旁边的人行道下沉了，地面一直在裂，店铺的墙也开始裂了"),
    ("structure", "dialect", "𠊎屋下后面的山泥倾落来了，冲到墙根，墙有裂，屋里还有老人"),
    ("structure", "colloquial", "我去，楼上邻居装修把承重墙打穿了，我家天花板都裂了还在掉灰，楼板在响"),
    ("structure", "plain", "脚手架被风吹歪了，几根钢管掉到人行道上，架子还在晃"),
    ("structure", "plain", "菜市场的钢棚顶被雨压塌了一半，下面有人被压住"),
    # violence
    ("violence", "plain", "楼下有两个人拿钢管在打，一个已经倒在地上不动了"),
    ("violence", "dialect", "隔篱个男人又打老婆，打到佢喊救命，仲有细路喺度喊"),
    ("violence", "typo", "有个人拿刀在菜市场乱坎人，大家都在跑"),
    ("violence", "child", "我是五年级学生，爸爸喝醉了在打妈妈，我和妹妹躲在房间里"),
    ("violence", "elder", "有个人冲进阿婆的屋抢东西，还推倒了阿婆，人还在里面"),
    (
        "violence",
        "long",
        "您好，我之前反映过小区门口的垃圾站太臭，物业一直没处理，我想问问进度。还有一件事：刚才在小区北门，有个男的"
        "一直跟着一个女孩，现在掐着她的脖子往车里拖，女孩在喊，我不敢上前。还有就是停车场收费太贵。",
    ),
    ("violence", "plain", "小区门口一伙人拿着砍刀围着一辆车在砸，车里有人"),
    ("violence", "child", "有人在地铁口拿着刀挟持了一个小孩"),
    ("violence", "plain", "前男友拿着汽油站在我家门口说要烧死我"),
    ("violence", "plain", "我老公把我锁在家里，拿皮带打我，我偷偷发的"),
    ("violence", "dialect", "𠊎老公食醉酒拿刀追𠊎，𠊎同细人仔躲在邻居屋下"),
    ("violence", "plain", "网吧门口有人被一群人踹头，地上都是血"),
    ("violence", "colloquial", "有个疯子拿着砖头在路上见人就砸，已经砸伤两个了"),
    ("violence", "plain", "有人撬我家的门，我一个人在家，听到他在门外说话"),
    # self_harm
    ("self_harm", "plain", "我室友刚刚把刀片拿出来了，说今晚就结束一切，她把门反锁了"),
    ("self_harm", "dialect", "我个仔话唔想再生存落去，攞住刀喺房入面，唔肯开门"),
    ("self_harm", "typo", "有个人坐在天台边边上，脚吊着，好像要跳搂"),
    ("self_harm", "elder", "我爸自从我妈走了就不吃饭，刚才打电话说把药都吃了，想去陪她"),
    ("self_harm", "child", "我同学在班级群里说活着好累，要从学校的楼顶跳下去，现在不回消息"),
    (
        "self_harm",
        "long",
        "你好，我是住在南山的，本来是想问一下社区心理咨询的预约怎么弄。但是我现在很慌，我姐刚刚给我发了一段很长的话，"
        "说对不起大家，然后把屋里的窗户都封了在烧炭，她住在宝安，电话不接。另外心理咨询的预约也请回复一下。",
    ),
    ("self_harm", "plain", "河堤上有个人把鞋子脱了放在边上，一直盯着水看，叫他也不理"),
    ("self_harm", "plain", "网上认识的朋友直播说要喝农药，地址是在龙华那边"),
    ("self_harm", "plain", "我真的撑不下去了，刚刚吞了一板安眠药"),
    ("self_harm", "child", "有个中学生翻过了天桥的护栏，站在外面，下面都是车"),
    ("self_harm", "dialect", "𠊎阿哥话毋想活了，一个人跑到水库那边去了，手机关了"),
    ("self_harm", "colloquial", "我老公跟我吵完架拿绳子进了卫生间，现在里面一点声音都没有"),
    ("self_harm", "plain", "楼上那个女的站在窗外的空调架上哭，说谁来都跳"),
    ("self_harm", "child", "我女儿手腕上划了好多道口子，还在流血，她不让我靠近"),
    # missing_unwell
    ("missing_unwell", "elder", "我外公有老人痴呆，早上去买菜到现在七八个钟没回家，电话也没带"),
    ("missing_unwell", "dialect", "我阿爷喺公园晕低咗，面青口唇白，叫佢唔应"),
    ("missing_unwell", "typo", "有个阿姨在地铁站忽然倒地，婚迷不醒，谁会急救"),
    ("missing_unwell", "child", "我家小孩四岁，刚才在超市一转身就不见了，广播了也没找到"),
    ("missing_unwell", "elder", "对门独居的婆婆好几天没倒垃圾，门口的报纸一摞，里面有臭味，喊也没人应"),
    (
        "missing_unwell",
        "long",
        "我们楼的老人多，物业平时也不太管，电梯老是坏。今天想反映的是：楼上的陈伯，一个人住，从前天起就没见他下楼，"
        "刚才我去敲门，听到里面有很微弱的呻吟声，门是锁着的。麻烦赶紧派人。还有电梯的事也请物业处理。",
    ),
    ("missing_unwell", "plain", "我老公吃饭的时候突然嘴歪了，手拿不住筷子，说话也说不清"),
    ("missing_unwell", "plain", "公交车上有个小伙子突然抽起来了，嘴里有泡沫，司机停车了"),
    ("missing_unwell", "child", "我家宝宝刚才吃葡萄噎住了，脸憋得发紫，喘不上气"),
    ("missing_unwell", "elder", "我妈糖尿病，刚刚浑身冒冷汗，人迷迷糊糊的，叫她也只会哼"),
    ("missing_unwell", "dialect", "𠊎阿婆一早出门就毋见了，佢有失智，到夜还冇归"),
    ("missing_unwell", "colloquial", "我爸胸口疼得直冒汗，说像有块石头压着，嘴唇都白了"),
    ("missing_unwell", "child", "放学已经三个小时了，我女儿没回来，同学说看见她上了一辆陌生人的车"),
    ("missing_unwell", "elder", "有个流浪的大爷躺在天桥底下，这么冷的天，身上冰凉，叫也叫不醒"),
]

# Near misses keyed by the kind whose words they borrow; "ordinary": everyday appeals.
NOT_URGENT_V3: list[tuple[str, str, str]] = [
    # fire
    ("fire", "plain", "上个星期五楼起火以后，楼道墙还是黑的，什么时候重新刷"),
    ("fire", "plain", "请问家里的油锅着火了是用水泼还是盖锅盖？想提前了解一下"),
    ("fire", "dialect", "楼下大排档啲油烟好大，日日熏到我屋企，搞掂佢啦"),
    ("fire", "typo", "消访通道被电动车堵死了，万一着伙怎么办，希望物业清理"),
    ("fire", "elder", "我妈年纪大了老是忘记关火，有没有那种自动熄火的灶可以补贴"),
    ("fire", "child", "孩子学校要交一份家庭消防逃生图作业，社区有模板吗"),
    (
        "fire",
        "long",
        "您好，我住在彩田村，我们这栋楼的楼道里堆了很多纸箱和旧家具，都是二楼那户放的，说了好几次也不搬，我担心万一"
        "起火了大家都跑不出去。麻烦社区出面协调一下，谢谢。",
    ),
    ("fire", "colloquial", "楼下烧烤店天天冒烟，呛得窗都不敢开，烦死了"),
    ("fire", "plain", "清明节有人在绿化带里烧纸，地上留了一堆灰，能不能管管"),
    ("fire", "plain", "小区的烟感报警器半夜老是误报，吵醒好几次了，麻烦检修"),
    # gas
    ("gas", "plain", "燃气公司说下周上门安检，要家里留人吗"),
    ("gas", "dialect", "我屋企煤气罐就快用完，边度可以叫人送气？"),
    ("gas", "typo", "天燃气开户要带什么资料，我刚搬过来"),
    ("gas", "plain", "前天闻到的那股煤气味，燃气公司来查过了，说是隔壁煮东西的，已经没事了"),
    ("gas", "elder", "我爸一个人住，想给他装个燃气泄漏报警器，社区有免费的吗"),
    (
        "gas",
        "long",
        "你好，我们是梅林一村的，楼下的燃气管道改造工程挖了一个多月了，路一直围着，老人小孩进出很不方便，晚上也没有灯，"
        "想问问什么时候能完工。",
    ),
    ("gas", "colloquial", "燃气费怎么突然这么贵，一个月三百多，抄表是不是抄错了"),
    ("gas", "plain", "煤气灶打火打了好几下才着，是不是该换了"),
    ("gas", "plain", "瓶装液化气和管道气哪个便宜，我们这栋楼能不能通管道"),
    ("gas", "plain", "楼下餐馆的燃气罐放在人行道上，感觉有隐患，希望查一下"),
    # electricity
    ("electricity", "plain", "小区的电动车充电桩好几个都坏了，扫码没反应"),
    ("electricity", "dialect", "成栋楼又停电，冰箱啲嘢都坏晒，几时先有电啊"),
    ("electricity", "typo", "楼道的电线乱七八遭的，希望整理一下，看着有隐换"),
    ("electricity", "plain", "昨天那根被风吹断的电线供电局已经来接好了，谢谢大家"),
    ("electricity", "child", "小孩子手指被插座电到怎么预防，有没有安全插座盖可以领"),
    ("electricity", "elder", "老人家里的电热毯用了十几年了，想问社区有没有以旧换新"),
    ("electricity", "child", "孩子学校说要做用电安全手抄报，有没有资料"),
    (
        "electricity",
        "long",
        "我想反映一下我们街的路灯问题，从上个月开始就一直时亮时不亮，物业说是供电局的事，供电局又说是城管的事，踢来踢去。"
        "晚上下班回来黑漆漆的，老人出门散步也不方便。麻烦搞清楚到底谁管。",
    ),
    ("electricity", "colloquial", "电费比夏天还高，是不是电表有问题啊，想申请校表"),
    ("electricity", "plain", "我家空调一开就跳闸，想找个电工上门看看，社区有推荐的吗"),
    # trapped
    ("trapped", "colloquial", "电梯天天坏，今天又停了，我住28楼爬上去腿都软了"),
    ("trapped", "dialect", "部𨋢成日坏，物业又唔修，老人家落唔到楼"),
    ("trapped", "typo", "店梯的年检标志过期了，还能坐吗"),
    ("trapped", "plain", "昨晚电梯困人那件事，物业说已经换了零件，希望给个书面说明"),
    ("trapped", "child", "小孩总是在电梯里乱按按钮，能不能贴个提示"),
    ("trapped", "elder", "我妈腿不好，电梯停运一个月，她一直出不了门，加装电梯什么时候能批"),
    ("trapped", "colloquial", "被困在公司加班到现在，社区的夜校课又赶不上了，能不能改时间"),
    (
        "trapped",
        "long",
        "您好，我们楼的电梯已经用了二十多年了，维保公司每个月都来，但是还是经常出问题，上个月还困过一次人，幸好很快就"
        "出来了。业主们想申请维修基金换电梯，请问流程是怎样的。",
    ),
    ("trapped", "plain", "地库出口的道闸老是卡住，车堵了一长串出不去"),
    ("trapped", "plain", "钥匙锁在屋里了，开锁师傅电话是多少"),
    # fall_injury
    ("fall_injury", "plain", "人行道的井盖松了，踩上去会翘，希望尽快换一个"),
    ("fall_injury", "dialect", "公园啲石级好滑，成日有人跌亲，整啲防滑条啦"),
    ("fall_injury", "typo", "小区的滑悌有一块板裂了，怕刮到小孩"),
    ("fall_injury", "plain", "上个月我在小区门口摔了一跤，膝盖到现在还疼，想问问物业要不要负责"),
    ("fall_injury", "elder", "我爸八十了，晚上起夜怕摔倒，社区的适老化改造能给装扶手吗"),
    ("fall_injury", "child", "孩子在幼儿园摔了一下，额头起了个包，老师说没事，想问社康能看吗"),
    (
        "fall_injury",
        "long",
        "我们小区的窗户都是老式的，没有防护栏，家里有小孩的住户都很担心孩子爬窗户。之前有新闻说别的地方有孩子坠楼。"
        "想问能不能统一装防护网，费用怎么出。",
    ),
    ("fall_injury", "colloquial", "这条路的坑太多了，骑电动车都差点摔，赶紧修修吧"),
    ("fall_injury", "plain", "楼上总有人往下扔烟头，晾的衣服都被烫了洞"),
    ("fall_injury", "plain", "健身器材的扶手断了，有人扶空差点摔倒，已经拿胶带缠上了，希望换新的"),
    # water
    ("water", "plain", "小区又停水了，都没提前通知"),
    ("water", "dialect", "落咗成日雨，楼下条街又水浸，几时先整好啲渠"),
    ("water", "typo", "自来水有股怪味，是不是二次供水的水相没洗"),
    ("water", "plain", "去年水浸以后地下室一直有霉味，能不能来看看"),
    ("water", "elder", "我妈住一楼，每次下大雨门口都积水，她进出不方便，能不能把门口垫高一点"),
    ("water", "child", "暑假想给孩子报游泳班，社区有没有便宜的"),
    (
        "water",
        "long",
        "你好，我住在宝安西乡河边的小区，河边步道的栏杆有一段断了，晚上很黑，经常有小孩在那里玩，感觉挺危险的，希望尽快"
        "装回去，另外河里的垃圾也很多，什么时候清理一下。",
    ),
    ("water", "colloquial", "楼上又漏水了！！我家卫生间天花板滴了一晚上，找物业也不管"),
    ("water", "plain", "防溺水的宣传牌被人拆了，暑假快到了，麻烦补一个"),
    ("water", "plain", "热水器里出来的水是黄的，想问怎么处理"),
    # structure
    ("structure", "plain", "我家墙上有几条细裂缝，想申请房屋安全鉴定，找哪里"),
    ("structure", "dialect", "隔篱装修成日打墙，我屋企啲墙皮都甩埋，搵边个赔"),
    ("structure", "typo", "上次坍踏的那段路修好了，但是路面还不太平"),
    ("structure", "plain", "去年台风吹倒的那面围墙，到现在还没重建，只拉了一条警戒线"),
    ("structure", "elder", "老人住的楼是八十年代的，听说要做抗震加固，什么时候轮到我们"),
    ("structure", "child", "学校旁边的工地围挡有一截有点歪，孩子上学路过，希望找时间加固一下"),
    (
        "structure",
        "long",
        "你好，我们楼的外墙瓷砖去年掉过几块，当时物业拉了警戒线，后来就没人管了。现在警戒线也没了，想问问外墙什么时候"
        "维修，维修基金能不能用，业主都很关心。",
    ),
    ("structure", "colloquial", "楼顶的防水层老化了，一下雨顶楼就渗水，修了好几次都不行"),
    ("structure", "plain", "车库顶板有一条裂缝在渗水，想请物业找人检测一下"),
    ("structure", "plain", "小区的地砖有一片下沉了，下雨积水，希望重新铺"),
    # violence
    ("violence", "plain", "昨天晚上楼下有人打架，今天想问一下派出所处理了没有"),
    ("violence", "dialect", "楼下班后生成日喺度饮酒嗌交，吵到半夜，麻烦管下"),
    ("violence", "typo", "小区的监空坏了好久了，治安不太好，希望修一下"),
    ("violence", "plain", "上周在菜市场被人推了一把，想问验伤去哪里"),
    ("violence", "elder", "老人在公园被人推销保健品，被骗买了好几千，想咨询怎么退"),
    ("violence", "child", "孩子在学校被同学推倒了，膝盖擦伤，想跟学校沟通一下"),
    (
        "violence",
        "long",
        "我们单元楼下的那家麻将馆每天营业到凌晨两三点，经常有人在门口吵架骂人，有时候还摔酒瓶，住户都睡不好。之前报过"
        "几次，来了就散，走了又这样。希望相关部门能彻底管一管。",
    ),
    ("violence", "colloquial", "隔壁两口子天天吵架嗓门很大，吵完又和好，影响我们休息"),
    ("violence", "plain", "我想学防身术，社区有没有女子防身课程"),
    ("violence", "plain", "楼上邻居每晚看打斗片声音开得很大，能不能提醒一下"),
    # self_harm
    ("self_harm", "plain", "天台的栏杆太矮了，晾衣服的时候有点怕，希望加高"),
    ("self_harm", "dialect", "我最近成日瞓唔着，心情好差，社区有冇人可以倾下偈"),
    ("self_harm", "typo", "想咨询一下社区的心里辅导是免费的吗"),
    ("self_harm", "plain", "之前那位想不开的邻居后来被救下来了，现在家里人想申请心理援助"),
    ("self_harm", "elder", "我妈自从我爸去世以后话变少了，想请社工上门陪她聊聊天"),
    ("self_harm", "child", "孩子中考压力大，最近老说累，想给他预约一下学校的心理老师"),
    (
        "self_harm",
        "long",
        "我是一名高三学生的家长，孩子最近学习压力很大，晚上经常睡不着，情绪也不太好。想问社区有没有针对青少年的心理讲座"
        "或者咨询，周末能去的那种，谢谢。",
    ),
    ("self_harm", "colloquial", "累死了，天天加班，想问社区有没有周末的减压活动"),
    ("self_harm", "plain", "楼顶有人放了好多花盆在女儿墙上，风大会不会掉下去"),
    ("self_harm", "plain", "想跳槽换工作，社区的就业服务站在哪里"),
    # missing_unwell
    ("missing_unwell", "elder", "我爸有点老年痴呆，想申请防走失的定位手环"),
    ("missing_unwell", "dialect", "阿婆上个礼拜喺街市行唔见咗，好彩有人送佢返嚟，想问有冇定位手环"),
    ("missing_unwell", "typo", "我妈有高血压，每天都要量，社康的家庭医生能上们吗"),
    ("missing_unwell", "plain", "昨天在公园晕倒的那位大爷已经出院了，他家人想谢谢帮忙的保安"),
    ("missing_unwell", "elder", "独居老人的每日问候电话能不能帮我爸也登记一下"),
    ("missing_unwell", "child", "孩子发烧38度，社康晚上几点关门"),
    (
        "missing_unwell",
        "long",
        "您好，我婆婆今年八十五了，一个人住在景田，我们白天都上班，担心她在家出什么事情也没人知道。请问社区有没有那种紧急"
        "呼叫的按钮可以装，或者有没有志愿者可以每天去看一下。",
    ),
    ("missing_unwell", "colloquial", "刚才找不到我家猫了，急死了，谁看到一只橘猫"),
    ("missing_unwell", "child", "孩子放学要自己走回家，想问学校门口能不能安排志愿者护送"),
    ("missing_unwell", "plain", "我妈最近老是头晕，想预约社康做个体检"),
    # ordinary
    ("ordinary", "plain", "小区门口的共享单车堆成山了，人都过不去"),
    ("ordinary", "dialect", "楼下间茶餐厅成日将垃圾放喺门口，好臭，麻烦处理下"),
    ("ordinary", "typo", "物业费收据一直没给，想要个发漂"),
    (
        "ordinary",
        "long",
        "你好，我是莲花北村的业主，我们小区的停车位一直不够，晚上回来经常要绕好几圈，有些人还把车停在消防通道上。物业说"
        "没办法。请问社区能不能协调周边的停车场晚上对居民开放，谢谢。",
    ),
    ("ordinary", "elder", "老人过马路的绿灯时间太短，走到一半就变红了"),
    ("ordinary", "child", "小区的儿童游乐区沙子太脏了，能不能换新的"),
    ("ordinary", "colloquial", "隔壁装修天天早上七点开电钻，受不了了"),
    ("ordinary", "plain", "快递驿站搬走了，现在取个快递要走二十分钟"),
    ("ordinary", "plain", "楼下的早餐店占用人行道摆桌子"),
    ("ordinary", "plain", "希望在地铁站旁边增加一些自行车停放点"),
    ("ordinary", "dialect", "𠊎屋下门口条路烂了好久，落雨就系泥，几时修"),
    ("ordinary", "plain", "社区的党群服务中心周末开不开门"),
    ("ordinary", "child", "想给孩子办转学，需要社区开什么证明"),
    ("ordinary", "plain", "垃圾车每天早上五点就来收，声音很大"),
    ("ordinary", "plain", "楼道里贴满了开锁和通下水道的小广告"),
    ("ordinary", "plain", "我的居住证快到期了，续签在哪里办"),
    ("ordinary", "plain", "广场舞的音响太大，能不能规定一下时间"),
    ("ordinary", "plain", "公交站的遮雨棚漏雨"),
    ("ordinary", "plain", "网上的预约挂号系统一直登不上"),
    ("ordinary", "plain", "电动车被偷了，昨天晚上停在楼下的"),
    ("ordinary", "plain", "小区里有人遛狗不捡狗屎"),
    ("ordinary", "plain", "隔壁楼顶装了个大广告牌，晚上亮得刺眼"),
    ("ordinary", "plain", "希望小区门口的减速带加高一点，车开得太快"),
    ("ordinary", "typo", "楼下的垃圾同好几天没人清了，很臭"),
    ("ordinary", "dialect", "啲蚊多到爆，社区几时嚟喷药啊"),
    ("ordinary", "elder", "长者饭堂的菜太硬了，老人嚼不动，希望煮软一点"),
    ("ordinary", "child", "学校门口的文具店卖三无玩具，希望查一查"),
    (
        "ordinary",
        "long",
        "各位领导好，我想反映一下我们村里的出租屋管理问题。二房东把房子隔成很多小间，住了很多人，进出很杂，垃圾也乱扔，"
        "楼道里全是电动车。希望社区能加强管理，定期检查。",
    ),
    ("ordinary", "colloquial", "我真的服了，物业的电话永远打不通"),
    ("ordinary", "plain", "小区的健身房器材太少，能不能增加几台"),
    ("ordinary", "plain", "想报名社区的书法班，还有名额吗"),
    ("ordinary", "plain", "公共厕所的洗手液总是空的"),
    ("ordinary", "plain", "有人在小区的草坪上搭帐篷露营"),
    ("ordinary", "plain", "想申请在楼下装一个充电柜，要业主签名吗"),
    ("ordinary", "plain", "附近的药店晚上十点就关门了，希望有24小时的"),
    ("ordinary", "elder", "社区公告栏的通知字太小，老人看不清"),
    ("ordinary", "plain", "外卖员的电动车在小区里开太快，差点撞到人"),
    ("ordinary", "plain", "快过年了，能不能在小区里挂点灯笼"),
    ("ordinary", "colloquial", "救命，楼上装修的噪音已经持续一个月了，周末都不停"),
    ("ordinary", "colloquial", "热死人了，公交站连个遮阳棚都没有"),
    ("ordinary", "colloquial", "我快被物业气死了，说好的维修拖了三个月"),
    ("ordinary", "colloquial", "小区门口堵车堵得要命，早上送孩子要半个钟"),
]


def rows() -> list[dict]:
    out = []
    for urgent, cases in ((True, URGENT_V3), (False, NOT_URGENT_V3)):
        for kind, style, text in cases:
            core = CORE_BASE + len(out) + 1
            out.append(
                {
                    "synthetic": True,
                    "text": text,
                    "urgent": urgent,
                    "kind": kind,
                    "style": style,
                    "core": core,
                }
            )
    return out


def main() -> int:
    data = rows()
    texts = [r["text"] for r in data]
    assert len(set(texts)) == len(texts), "a text appears twice"
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in data), encoding="utf-8")
    urgent = sum(r["urgent"] for r in data)
    print(f"{OUT.name}: {len(data)} texts ({urgent} urgent, {len(data) - urgent} not)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
