// What the demo's pages say of its figures: they are American CFPB complaints re-labelled under
// this plan's types and branches (/work/shared/data/cfpb/README.md: "say so wherever results on
// it are shown"). The demo wall read as a Chinese bank's board with no such word (audit CB F4).

export const DEMO_DATA_NOTICE = '演示数据：美国CFPB公开投诉样本，按本行类型重新标注，非本行真实投诉';

/** The monitor's DATA_NOTICE for the demo: the operator's own if set, else the demo's. */
export const demoDataNotice = (env: NodeJS.ProcessEnv): string => (env.DATA_NOTICE?.trim() ? env.DATA_NOTICE : DEMO_DATA_NOTICE);
