// 中文 / English, kept across launches (i18n.ts stores the choice).
import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { setLanguage } from '../i18n';
import { isLanguage, LANGUAGES, type Language } from '../locales';

export function LanguageSwitch({ className }: { className?: string }) {
  const { t, i18n } = useTranslation();
  const value: Language = isLanguage(i18n.language) ? i18n.language : 'zh-CN';
  return (
    <Segmented<Language>
      size="small"
      className={className}
      data-testid="language-switch"
      aria-label={t('language.label')}
      value={value}
      options={LANGUAGES.map((language) => ({
        value: language,
        label: <span data-testid={`language-${language}`}>{t(`language.${language}`)}</span>,
      }))}
      onChange={(language) => setLanguage(language)}
    />
  );
}
