// Traditional → Simplified for the characters of the risk keywords, so that a complaint
// typed in Traditional characters (Hong Kong, Taiwan, Macau customers; some input
// methods) raises the same alarm. Deliberately small: only characters that occur in a
// keyword list are needed, because both the text and the keywords are folded before
// matching. Add a pair here when a new keyword brings a character with a Traditional form.

export const TRADITIONAL_TO_SIMPLIFIED: Readonly<Record<string, string>> = {
  騙: '骗', // 被騙, 詐騙, 騙局
  盜: '盗', // 盜刷, 盜用
  凍: '冻', // 凍結
  結: '结', // 凍結
  詐: '诈', // 詐騙
  掛: '挂', // 掛失
  報: '报', // 報警
  訴: '诉', // 起訴
  師: '师', // 律師
  異: '异', // 異常交易
};

/** Folds the Traditional characters of the map to Simplified; other characters pass as they are. */
export function toSimplified(text: string): string {
  let out = '';
  for (const ch of text) out += TRADITIONAL_TO_SIMPLIFIED[ch] ?? ch;
  return out;
}
