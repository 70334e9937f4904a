import { CustomerServiceOutlined } from '@ant-design/icons';

export function Logo() {
  return (
    <span className="cw-logo" aria-hidden="true">
      <CustomerServiceOutlined />
    </span>
  );
}
