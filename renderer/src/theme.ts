// A calm service-desk look: deep blue primary, quiet greys, the system's Chinese fonts.
import type { ThemeConfig } from 'antd';

export const FONT_FAMILY =
  '-apple-system, BlinkMacSystemFont, "Segoe UI", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Helvetica Neue", Arial, sans-serif';

export const BRAND = {
  primary: '#1f4e8c',
  header: '#0f2c52',
  headerText: '#ffffff',
  layout: '#f2f4f7',
};

export const theme: ThemeConfig = {
  token: {
    colorPrimary: BRAND.primary,
    colorLink: BRAND.primary,
    colorBgLayout: BRAND.layout,
    borderRadius: 6,
    fontFamily: FONT_FAMILY,
    fontSize: 14,
    controlItemBgActive: '#e6eef8',
    controlItemBgActiveHover: '#dae6f5',
    controlItemBgHover: '#f2f5f9',
    // Secondary text, placeholders and danger at WCAG AA contrast (antd's defaults are lighter).
    colorTextDescription: 'rgba(0, 0, 0, 0.62)',
    colorTextTertiary: 'rgba(0, 0, 0, 0.62)',
    colorTextPlaceholder: 'rgba(0, 0, 0, 0.56)',
    colorError: '#c4161c',
  },
  components: {
    Layout: {
      headerBg: BRAND.header,
      headerHeight: 56,
      headerPadding: '0 24px',
      siderBg: '#ffffff',
      footerBg: '#ffffff',
      footerPadding: '0 24px',
    },
    Menu: {
      itemBorderRadius: 6,
      itemSelectedBg: '#e6eef8',
      itemSelectedColor: BRAND.primary,
      itemMarginInline: 8,
    },
    Table: {
      headerBg: '#f7f8fa',
      rowHoverBg: '#eef3fa',
    },
    Card: {
      headerFontSize: 15,
    },
  },
};
