"""Why the service refuses a command: every refusal's stable code and the sentence people read, in one
table. The service's reply carries both (`code`, `error`); the CLI, the console and the audit log show the
sentence, and a device may word a code its own way for the people in front of it (the kiosk's
`rate_limited`). The standard library only: devices import it.

A code never changes once devices know it; a sentence may. A sentence names its values in braces, and
the service fills them in (`sentence("no_ticket", ticket="Z999")`), so a refusal keeps the ticket
number or the limit it is about.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Final

SENTENCES: Final[Mapping[str, str]] = {
    # -- the command itself ----------------------------------------------------------------------
    "bad_id": "命令编号（id）应为 1 到 64 个字符的文本",
    "args_not_object": "命令参数（args）应为 JSON 对象，收到的是 {got}",
    "unknown_command": "没有“{verb}”这个命令；可用的命令：{known}",
    "person_not_console": "只有工作台账号可以指明操作人（person）",
    "bad_person": "操作人（person）应为登录名：小写字母、数字、“.”“_”“-”，至多 32 个字符",
    "bad_args": "参数有误：{problems}",
    "not_stored": "服务没能保存这条命令，命令没有执行",
    "console_only": "只有工作台账号可以使用 {what}：由工作台核对操作人能否这样做",
    # -- the service's intake --------------------------------------------------------------------
    "too_fast": "操作过于频繁：{who}每分钟最多 {most} 次{what}，请稍候再试",
    "busy": "服务繁忙，这条命令没有执行；请稍候再试",
    "expired": "命令到达时已超过发送方等待的时限，没有执行；请查看当前状态后再操作",
    "qos0": "命令须以 QoS 1 发送（QoS 0 的命令不执行）",
    # -- announcements ---------------------------------------------------------------------------
    "start_too_far": "开始时间 {start} 在一年以后",
    "emergency_needs_end": "紧急公告会占满所有屏幕直到结束：请给出结束时间（duration_s）",
    "no_announcement": "当前没有编号为“{id}”的公告（当前的公告：{current}）",
    "too_many_announcements": (
        "已有 {count} 条公告，这是大厅最多显示的条数；请先撤下一条（hall announce --clear 编号；当前的公告：{current}）"
    ),
    "not_pending": "公告“{id}”已有审核结果（{review}），不在等待审核",
    "reject_needs_reason": "驳回公告需要写明原因（reason），作者会看到",
    "nothing_to_change": "没有要修改的内容：请给出 text、priority、start、duration_s 或 targets",
    # -- staff -----------------------------------------------------------------------------------
    "no_staff": "没有工作人员“{staff}”",
    "substitute_when_away": "只有工作人员暂离、下班或请假时才指定代岗人",
    "no_substitute": "没有工作人员“{staff}”可以代岗",
    "self_substitute": "工作人员不能为自己代岗",
    # -- the queue and the windows ---------------------------------------------------------------
    "no_category": "没有类别“{category}”；类别有：{known}",
    "no_window": "没有窗口“{window}”；窗口有：{known}",
    "rate_limited": "{account} 一分钟内已有 {most} 次，是一个账号的上限；请稍候再试",
    "numbers_exhausted": "{prefix} 类今天的 {most} 个号已经取完",
    "numbers_not_yet": "现在不能取号，今天 {starts} 开始取号。",
    "numbers_over": "今天已停止取号，请在办公时间内前来。",
    "ticket_needs_number": "叫指定号码（action 'ticket'）需要给出号码（ticket），例如 A012",
    "transfer_needs_target": "转办（action 'transfer'）需要给出类别（category）或窗口（to_window），二选一",
    "window_paused": "{window}已暂停服务{reason}：请先恢复服务",
    "no_ticket": "今天没有 {ticket} 号",
    "ticket_taken": "{ticket} 号已经叫过（正在办理或已办结）",
    "nobody_served": "{window}当前没有正在办理的号码",
    "same_window": "{ticket} 号已经在{window}",
    "same_category": "{ticket} 号已经在“{category}”类",
    "still_serving": "{window}正在办理 {ticket} 号：请先办结、转办或标记过号，再暂停服务",
    "reason_only_pausing": "只有暂停窗口时才填写原因",
    "queue_rule": "排队规则不允许这样做：{detail}",
    # -- cases -----------------------------------------------------------------------------------
    "no_case": "没有办件“{case}”",
    "not_a_case_number": "“{case}”不是办件编号（编号形如 {example}）",
    "no_item": "事项目录里没有“{item}”",
    "tier_above_centre": "这里是{centre}：办件在本级或下级收件，不在{at}收件",
    "no_agent": "代办员名单（agents.yaml）里没有“{agent}”：请给出代办员的编号或姓名",
    "agent_ambiguous": "有 {count} 位代办员叫“{agent}”：请给出其中一位的编号（{ids}）",
    "village_needs_agent": "在村(社区)代办点收的件由代办员带来：请给出代办员（--agent）",
    "who_received": "请说明谁收的件：窗口（--window 编号）或代办员（--agent 姓名）",
    "hand_over_needs_tier": "移交（sent、returned）需要给出材料去往的层级（--to village|township|district）",
    "sent_goes_up": "转报（sent）是往上送到决定的层级；{case} 现在在{tier}",
    "returned_goes_down": "送回（returned）是往下送；{case} 现在在{tier}",
    "to_only_hand_over": "--to 只用于移交（sent、returned），不用于办理环节",
    "overdue_or_due_soon": "--overdue 和 --due-soon 只能给一个",
    "unknown_stage": "没有“{stage}”这个环节；环节有：{stages}",
    "slip_needs_address": (
        "回执上的二维码需要手机访问查询页的地址：请在 centre.yaml 设置 public_url，或给 hall serve 加 --public-url"
    ),
    "text_too_long": "文字有 {length} 个字，多于上限 {limit}",
    "not_required_document": "“{document}”不是这个事项要求的材料（要求的材料：{required}）",
    "item_not_at_tier": "{item}不在{tier}一级办理；办理层级：{tiers}",
    "bad_phone": "手机号“{phone}”应为 7 到 15 位数字（可含空格和“-”）",
    "notify_needs_applicant": "在大屏上显示编号需要申请人同意：请同时给出申请人",
    "too_many_steps": "{case} 的环节已到一个办件的上限",
    "before_last_step": "{time} 早于这个办件的上一个环节",
    "nothing_follows": "{case} 已是“{stage}”，之后没有环节了",
    "not_next": "{case} 现在是“{stage}”；下一步可以是：{next}",
    "papers_below": "{case} 的材料还在{tier}一级：请先转报或网上预审；下一步可以是：{next}",
    "refusal_needs_basis": "不予受理需要写明理由（--note）和法律依据（--basis）",
    "supplement_needs_note": "补正需要写明要补正或补交的材料（--note）",
    "unknown_tier": "没有“{tier}”这个层级；层级有：{tiers}",
    "already_at_tier": "{case} 已经在{tier}一级",
    "decided_goes_down": "{case} 已是“{stage}”：结果往下送，不再往上送",
    "no_higher": "{item}由{tier}一级决定：不能再往上送",
    "not_decided_yet": "{case} 现在是“{stage}”：决定之后材料才往下送回",
    "no_lower": "{case} 是在{tier}一级收件的：不能送回更低的层级",
    "collected": "{case} 已经取件",
    "day_full": "{day} 的办件编号已用完：一天最多 {most} 个",
    "locked": "这个办件的查询错误次数过多；请到窗口查询",
    "not_found": "没有这个编号和手机号后四位对应的办件",
    # -- who may do what (content.accounts.acting), and the kiosk's lookups -----------------------
    "not_in_roster": "账号 {account} 不在服务的账号名单（hall serve --roster）里：它只能取号和查询办件",
    "not_permitted": "{who} 没有权限{what}",
    "not_own_window": "{who} 只能操作本窗口（{own}），不能操作窗口“{window}”",
    "not_own_announcement": "{who} 只能撤下或修改自己发布的公告；公告“{id}”是 {author} 发布的",
    "unknown_person": "工作台用户“{person}”不存在或已停用",
    "lookups_held": (
        "{account} 近 {minutes} 分钟内已有 {cases} 个办件的手机号后四位输错，暂停查询；请稍后再试或到窗口查询"
    ),
}
"""Each refusal's code and its sentence (zh_CN, the hall's language)."""


def sentence(code: str, **values: object) -> str:
    """The sentence of the refusal `code` with its values filled in; KeyError for an unknown code or a
    missing value (a bug in the service, which its tests catch)."""
    return SENTENCES[code].format_map(values)


def placeholders(code: str) -> frozenset[str]:
    """The values the sentence of `code` names."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(SENTENCES[code]) if name)
