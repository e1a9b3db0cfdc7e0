// What a coordinator is told when they act on an alert or task by text, in their language. Short:
// a coordinator in a village reads these on a cheap phone between other work.
import type { Language } from '#lib/domain/model.ts';

/** One alert or task as a reply names it: `A7 小红：这周很难过`. */
export interface WorkLabel {
  ref: string;
  /** Who and what, e.g. `小红这周很难过` / `李奶奶 连续2周没有签到`. */
  what: string;
}

export interface WorkState extends WorkLabel {
  status: 'open' | 'acknowledged' | 'closed';
  /** Carer's phone to call back, when known. */
  phone?: string | undefined;
  note?: string | undefined;
}

export interface CoordinatorTextMessages {
  acknowledged(w: WorkLabel, chosen: boolean): string;
  alreadyAcknowledged(w: WorkLabel): string;
  closed(w: WorkLabel, note: string, chosen: boolean): string;
  alreadyClosed(w: WorkLabel): string;
  state(w: WorkState): string;
  notFound(ref: string): string;
  noneOpen: string;
  help(centre: { centreName: string; centrePhone: string }): string;
  /** What a task is about, as a reply names it. */
  taskWhat(task: TaskSubject): string;
  /** A new task, sent to the Centre's coordinators. */
  taskNotice(w: WorkLabel, phone: string | undefined): string;
  /** A task no one acknowledged in a day, sent to every coordinator. */
  taskEscalation(w: WorkLabel, phone: string | undefined): string;
}

/** A task as replies name it. */
export interface TaskSubject {
  kind: string;
  contactName: string;
  childNames: readonly string[];
}

const zh: CoordinatorTextMessages = {
  taskNotice: (w, phone) =>
    `待办${w.ref}：${w.what}。${phone ? `电话${phone}。` : ''}回复“收到 ${w.ref}”确认，“完成 ${w.ref} 备注”处理完毕。`,
  taskEscalation: (w, phone) =>
    `待办${w.ref}已超过24小时无人确认：${w.what}。${phone ? `电话${phone}。` : ''}请今天处理，回复“收到 ${w.ref}”确认。`,
  taskWhat: (t) =>
    t.kind === 'missed-checkins'
      ? `${t.contactName}连续两周没有签到`
      : t.kind === 'parent-call'
        ? `${t.contactName}想和${t.childNames.join('、')}约时间通电话`
        : t.kind === 'gb-locked'
          ? `${t.contactName}的群发因密码错误被锁定`
          : `${t.contactName}：${t.kind}`,
  acknowledged: (w, chosen) =>
    `${chosen ? `已选最近的提醒${w.ref}（${w.what}）。` : ''}已确认${w.ref}，不再升级提醒。处理完请回复“完成 ${w.ref} 备注”。`,
  alreadyAcknowledged: (w) => `${w.ref}（${w.what}）已有老师确认过。处理完请回复“完成 ${w.ref} 备注”。`,
  closed: (w, note, chosen) =>
    `${chosen ? `已选最近的提醒${w.ref}（${w.what}）。` : ''}${w.ref}已完成${note === '' ? '' : `，备注：${note}`}。`,
  alreadyClosed: (w) => `${w.ref}（${w.what}）已经完成了。`,
  state: (w) =>
    `${w.ref}：${w.what}。${w.phone ? `电话${w.phone}。` : ''}状态：${
      w.status === 'open' ? '待处理' : w.status === 'acknowledged' ? '已确认，未完成' : '已完成'
    }${w.note ? `（${w.note}）` : ''}。`,
  notFound: (ref) => `没有找到${ref}。请核对提醒里的编号，例如“收到 A7”。`,
  noneOpen: '现在没有待处理的提醒。',
  help: (c) =>
    `${c.centreName}电话：${c.centrePhone}。回复“收到 A7”确认提醒，“完成 A7 备注”处理完毕，“A7 ?”查看状态；“GB 密码 内容”群发给家长和照顾者；“退订”停止消息。`,
};

const en: CoordinatorTextMessages = {
  taskNotice: (w, phone) =>
    `To do ${w.ref}: ${w.what}. ${phone ? `Phone ${phone}. ` : ''}Reply OK ${w.ref} to acknowledge, DONE ${w.ref} and a note when done.`,
  taskEscalation: (w, phone) =>
    `To do ${w.ref} unacknowledged for 24 h: ${w.what}. ${phone ? `Phone ${phone}. ` : ''}Please see to it today and reply OK ${w.ref}.`,
  taskWhat: (t) =>
    t.kind === 'missed-checkins'
      ? `${t.contactName} missed two check-ins`
      : t.kind === 'parent-call'
        ? `${t.contactName} asks for a call with ${t.childNames.join(' and ')}`
        : t.kind === 'gb-locked'
          ? `GB locked for ${t.contactName} after wrong PINs`
          : `${t.contactName}: ${t.kind}`,
  acknowledged: (w, chosen) =>
    `${chosen ? `Chose the latest alert, ${w.ref} (${w.what}). ` : ''}${w.ref} acknowledged; it will not be escalated. When done, reply DONE ${w.ref} and a note.`,
  alreadyAcknowledged: (w) =>
    `${w.ref} (${w.what}) was already acknowledged. When done, reply DONE ${w.ref} and a note.`,
  closed: (w, note, chosen) =>
    `${chosen ? `Chose the latest alert, ${w.ref} (${w.what}). ` : ''}${w.ref} closed${note === '' ? '' : `, note: ${note}`}.`,
  alreadyClosed: (w) => `${w.ref} (${w.what}) is already closed.`,
  state: (w) =>
    `${w.ref}: ${w.what}. ${w.phone ? `Phone ${w.phone}. ` : ''}State: ${
      w.status === 'open' ? 'open' : w.status === 'acknowledged' ? 'acknowledged, not closed' : 'closed'
    }${w.note ? ` (${w.note})` : ''}.`,
  notFound: (ref) => `There is no ${ref}. Please check the reference in the alert, e.g. OK A7.`,
  noneOpen: 'There is no open alert now.',
  help: (c) =>
    `${c.centreName}: ${c.centrePhone}. Reply OK A7 to acknowledge an alert, DONE A7 and a note to close it, A7 ? for its state; GB, your PIN and a message to broadcast to carers and parents; STOP to stop messages.`,
};

export const COORDINATOR_TEXT_MESSAGES: Readonly<Record<Language, CoordinatorTextMessages>> = {
  'zh-CN': zh,
  en,
};
