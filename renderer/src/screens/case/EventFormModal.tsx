// One lifecycle event as a form: exactly the fields of its schema (event-forms.ts), checked
// as the agent types, sent through `cases.transition`. A refusal by the lifecycle shows its
// translated reason above the form, which keeps what was entered.
import { useMemo, useState, type KeyboardEvent, type ReactNode } from 'react';
import {
  Alert,
  AutoComplete,
  Button,
  Checkbox,
  DatePicker,
  Form,
  Input,
  Modal,
  Radio,
  Rate,
  Select,
  Typography,
} from 'antd';
import type { FormInstance, FormRule } from 'antd';
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { CaseDetail } from '../../../../shared/contract';
import { assessIntake } from '../../../../shared/intake';
import {
  currentDeadlineDays,
  openTasks,
  pendingCompensation,
  type CaseEventType,
} from '../../../../shared/lifecycle/case-machine';
import { parseYuanToFen } from '../../../../shared/lifecycle/policy';
import { DANGER_EVENTS } from '../../case-lifecycle';
import { useReportError } from '../../components/feedback';
import { priorityReasonLabel } from '../../components/tags';
import {
  mapFieldErrors,
  SESSION_LOST_CODES,
  toContractError,
  translateErrorCode,
  translateFieldCode,
} from '../../errors';
import {
  APPROVER_ROLES,
  buildEventInput,
  decodeReason,
  encodeReason,
  isConfirmOnly,
  mintIdentifiers,
  requiredApprovalLevels,
  SEGMENT_REASONS,
  visibleFields,
  type ApprovalLevelValue,
  type FieldSpec,
  type FormValues,
} from '../../event-forms';
import { formatDateTime, formatDueTime, formatMoney, pickerNow } from '../../format';
import { callWorkstation } from '../../workstation';
import { NoticeScriptTarget } from '../knowledge/NoticeScriptTarget';
import { useCaseDirectory } from './common';

const TEXT_MAX = 4000;
const ID_MAX = 100;
const DATE_FORMAT = 'YYYY-MM-DD HH:mm';
/** Fields whose time must lie ahead (the machine refuses a past one too). */
const FUTURE_FIELDS = new Set(['dueAt', 'promisedBy']);

interface Props {
  type: CaseEventType;
  detail: CaseDetail;
  /** The case after the event was accepted. */
  onDone: (next: CaseDetail, type: CaseEventType) => void;
  /** Called once the modal has closed (accepted or cancelled). */
  onClosed: () => void;
}

export function EventFormModal({ type, detail, onDone, onClosed }: Props) {
  const { t } = useTranslation();
  const reportError = useReportError();
  const [form] = Form.useForm<FormValues>();
  const [open, setOpen] = useState(true);
  const [submitting, setSubmitting] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  // Minted once per form: a retry after a refusal sends the same identifiers.
  const [generated] = useState(() => mintIdentifiers(type));
  const fields = visibleFields(type);
  const confirmOnly = isConfirmOnly(type);
  const initialValues = useMemo(() => initialValuesFor(type, detail), [type, detail]);

  const submit = async () => {
    if (submitting) return;
    let values: FormValues;
    try {
      values = await form.validateFields();
    } catch {
      return;
    }
    const built = buildEventInput(type, values, generated);
    if (!built.ok) {
      showFieldErrors(form, fields, built.fields, t);
      return;
    }
    setSubmitting(true);
    setRefusal(null);
    try {
      const next = await callWorkstation('cases.transition', {
        caseId: detail.case.id,
        event: built.event,
      });
      setOpen(false);
      onDone(next, type);
    } catch (error) {
      const contractError = toContractError(error);
      if (contractError.code === 'VALIDATION') {
        showFieldErrors(form, fields, contractError.fields ?? [], t);
      }
      if (SESSION_LOST_CODES.has(contractError.code)) reportError(error);
      setRefusal(contractError.code);
    } finally {
      setSubmitting(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void submit();
    }
  };

  return (
    <Modal
      open={open}
      title={t(`events.${type}`)}
      okText={confirmOnly ? t('eventForms.confirm') : t('eventForms.submit')}
      cancelText={t('app.cancel')}
      onOk={() => void submit()}
      onCancel={() => setOpen(false)}
      afterClose={onClosed}
      confirmLoading={submitting}
      destroyOnHidden
      maskClosable={false}
      width={confirmOnly ? 460 : fields.some((f) => f.kind === 'approvalLevels') ? 760 : 600}
      okButtonProps={{
        danger: DANGER_EVENTS.has(type),
        ...({ 'data-testid': 'event-submit' } as Record<string, string>),
      }}
      cancelButtonProps={{ 'data-testid': 'event-cancel' } as Record<string, string>}
      modalRender={(node) => (
        <div data-testid="event-form" data-event-type={type}>
          {node}
        </div>
      )}
    >
      <div onKeyDown={onKeyDown}>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 16 }}>
          {t(`eventForms.${type}.hint`)}
        </Typography.Paragraph>
        {refusal ? (
          <Alert
            type="error"
            showIcon
            data-testid="event-error"
            data-code={refusal}
            title={t('eventForms.refusedTitle')}
            description={translateErrorCode(t, refusal)}
            style={{ marginBottom: 16 }}
          />
        ) : null}
        {confirmOnly ? null : (
          <Form
            form={form}
            layout="vertical"
            initialValues={initialValues}
            requiredMark
            onValuesChange={() => {
              if (refusal) setRefusal(null);
            }}
          >
            {fields.map((spec) => (
              <EventField key={spec.name} type={type} spec={spec} detail={detail} form={form} />
            ))}
            <NoticeScriptTarget type={type} form={form} />
          </Form>
        )}
      </div>
    </Modal>
  );
}

function showFieldErrors(
  form: FormInstance<FormValues>,
  fields: readonly FieldSpec[],
  issues: readonly { path: string; code: string }[],
  t: TFunction,
) {
  const names = fields.map((f) => f.name);
  const { byField } = mapFieldErrors(names, {
    code: 'VALIDATION',
    message: '',
    fields: [...issues],
  });
  form.setFields(
    Object.entries(byField).map(([name, code]) => ({
      name,
      errors: [translateFieldCode(t, code as string)],
    })),
  );
}

function initialValuesFor(type: CaseEventType, detail: CaseDetail): FormValues {
  const context = detail.case.lifecycle;
  switch (type) {
    case 'TRIAGE':
      return { priority: context.priority, reasons: context.priorityReasons.map(encodeReason) };
    case 'OPEN_TASK':
      return { dueAt: pickerNow().add(1, 'day').startOf('hour') };
    case 'ANSWER_TASK': {
      const open = openTasks(context);
      return open.length === 1 ? { taskId: open[0]!.id } : {};
    }
    case 'COMPENSATION_DECIDED': {
      const pending = pendingCompensation(context);
      const chain = context.policy.approvalChain;
      const levels: ApprovalLevelValue[] = Array.from(
        { length: pending?.requiredLevels ?? 1 },
        (_, i) => ({ role: chain[i]?.approverRoles[0], at: pickerNow() }),
      );
      return { requestId: pending?.id, levels };
    }
    case 'NOTIFY_CUSTOMER':
    case 'RECORD_PROGRESS_UPDATE':
      return { channel: 'phone' };
    case 'RECORD_FOLLOW_UP':
      return { second: false };
    case 'EXTEND_DEADLINE': {
      const current = currentDeadlineDays(context);
      return {
        toDays: context.policy.extensionStepsDays.find((d) => d > current),
        customerNoticeAt: pickerNow(),
      };
    }
    default:
      return {};
  }
}

/** Validation rules of a field, with translated messages. */
function rulesFor(spec: FieldSpec, t: TFunction): FormRule[] {
  const required = t('fieldErrors.REQUIRED');
  const rules: FormRule[] = [];
  switch (spec.kind) {
    case 'text':
    case 'textarea':
    case 'user':
      if (spec.required) rules.push({ required: true, whitespace: true, message: required });
      rules.push({
        max: spec.kind === 'textarea' ? TEXT_MAX : ID_MAX,
        message: t('fieldErrors.TOO_LONG'),
      });
      break;
    case 'yuan':
      rules.push({ required: true, whitespace: true, message: required });
      rules.push({
        validator: (_, value: string | undefined) => {
          if (!value || !value.trim()) return Promise.resolve();
          const fen = parseYuanToFen(value);
          return fen !== null && fen > 0
            ? Promise.resolve()
            : Promise.reject(new Error(t('fieldErrors.AMOUNT_INVALID')));
        },
      });
      break;
    case 'datetime':
      if (spec.required) rules.push({ required: true, message: required });
      if (FUTURE_FIELDS.has(spec.name)) {
        rules.push({
          validator: (_, value: Dayjs | undefined) =>
            !value || value.isAfter(pickerNow())
              ? Promise.resolve()
              : Promise.reject(new Error(t('fieldErrors.FUTURE_REQUIRED'))),
        });
      }
      break;
    case 'checkbox':
    case 'priorityReasons':
      break;
    default:
      if (spec.required) rules.push({ required: true, message: required });
  }
  return rules;
}

function EventField({
  type,
  spec,
  detail,
  form,
}: {
  type: CaseEventType;
  spec: FieldSpec;
  detail: CaseDetail;
  form: FormInstance<FormValues>;
}) {
  const { t } = useTranslation();
  const label = t(`eventForms.${type}.${spec.name}`);
  const common = {
    name: spec.name,
    label,
    required: spec.required,
    rules: rulesFor(spec, t),
  };
  const testId = `event-field-${spec.name}`;

  switch (spec.kind) {
    case 'text':
      return (
        <Form.Item {...common}>
          <Input data-testid={testId} autoComplete="off" maxLength={ID_MAX} />
        </Form.Item>
      );
    case 'textarea':
      return (
        <Form.Item {...common}>
          <Input.TextArea
            data-testid={testId}
            rows={spec.required ? 3 : 2}
            autoSize={{ minRows: spec.required ? 3 : 2, maxRows: 8 }}
            count={{ show: true, max: TEXT_MAX }}
          />
        </Form.Item>
      );
    case 'user':
      return <UserField common={common} testId={testId} />;
    case 'select':
      return (
        <Form.Item {...common}>
          <Select
            data-testid={testId}
            placeholder={t('eventForms.selectPlaceholder')}
            options={(spec.options ?? []).map((code) => ({
              value: code,
              label: t(`${spec.optionLabels}.${code}`),
            }))}
          />
        </Form.Item>
      );
    case 'datetime':
      return (
        <Form.Item {...common} extra={t('eventForms.beijingTime')}>
          <DatePicker
            data-testid={testId}
            showTime={{ format: 'HH:mm', minuteStep: 5 }}
            format={DATE_FORMAT}
            showNow={false}
            placeholder={t('eventForms.datePlaceholder')}
            style={{ width: '100%' }}
            disabledDate={
              FUTURE_FIELDS.has(spec.name)
                ? (d) => d.isBefore(pickerNow().startOf('day'))
                : undefined
            }
          />
        </Form.Item>
      );
    case 'yuan':
      return <YuanField common={common} testId={testId} detail={detail} form={form} />;
    case 'rate':
      return <RateField common={common} testId={testId} detail={detail} form={form} />;
    case 'yesNo': {
      const labels =
        spec.name === 'approved'
          ? [t('eventForms.approvedYes'), t('eventForms.approvedNo')]
          : spec.name === 'adopted'
            ? [t('eventForms.adoptedYes'), t('eventForms.adoptedNo')]
            : [t('eventForms.yes'), t('eventForms.no')];
      return (
        <Form.Item {...common}>
          <Radio.Group
            data-testid={testId}
            optionType="button"
            buttonStyle="solid"
            options={[
              { value: true, label: labels[0] },
              { value: false, label: labels[1] },
            ]}
          />
        </Form.Item>
      );
    }
    case 'checkbox':
      return (
        <Form.Item name={spec.name} valuePropName="checked" rules={common.rules}>
          <Checkbox data-testid={testId}>{label}</Checkbox>
        </Form.Item>
      );
    case 'extensionDays': {
      const context = detail.case.lifecycle;
      const current = currentDeadlineDays(context);
      const steps = context.policy.extensionStepsDays;
      return (
        <Form.Item
          {...common}
          extra={
            steps.some((d) => d > current)
              ? t('eventForms.currentPeriod', { days: current })
              : t('eventForms.noExtensionLeft')
          }
        >
          <Select
            data-testid={testId}
            options={steps.map((days) => ({
              value: days,
              label: t('eventForms.extensionOption', { days }),
              disabled: days <= current,
            }))}
          />
        </Form.Item>
      );
    }
    case 'openTask':
      return (
        <Form.Item {...common}>
          <Select
            data-testid={testId}
            placeholder={t('eventForms.taskPlaceholder')}
            optionLabelProp="short"
            options={openTasks(detail.case.lifecycle).map((task) => ({
              value: task.id,
              short: `${t(`departments.${task.department}`)} · ${truncate(task.request, 24)}`,
              label: (
                <div className="cw-option">
                  <div>
                    {t(`departments.${task.department}`)} · {truncate(task.request, 40)}
                  </div>
                  <div className="cw-option-sub">
                    {t('panels.taskDue', { time: formatDueTime(task.dueAt) })}
                  </div>
                </div>
              ),
            }))}
          />
        </Form.Item>
      );
    case 'pendingCompensation': {
      const pending = pendingCompensation(detail.case.lifecycle);
      return (
        <Form.Item {...common}>
          <Select
            data-testid={testId}
            disabled={pending !== undefined}
            options={
              pending
                ? [
                    {
                      value: pending.id,
                      label: `${formatMoney(pending.amountFen)} · ${truncate(pending.reason, 30)}`,
                    },
                  ]
                : []
            }
          />
        </Form.Item>
      );
    }
    case 'otherCase':
      return <OtherCaseField common={common} testId={testId} detail={detail} type={type} />;
    case 'priorityReasons':
      return <ReasonsField common={common} testId={testId} detail={detail} />;
    case 'approvalLevels':
      return <ApprovalLevelsField label={label} detail={detail} />;
    case 'generated':
      return null;
  }
}

type Common = { name: string; label: string; required: boolean; rules: FormRule[] };

function UserField({ common, testId }: { common: Common; testId: string }) {
  const { t } = useTranslation();
  const { people } = useCaseDirectory();
  return (
    <Form.Item {...common}>
      <AutoComplete
        data-testid={testId}
        placeholder={t('eventForms.userPlaceholder')}
        options={people.map((p) => ({ value: p.id, label: `${p.name}（${p.id}）` }))}
        showSearch={{
          filterOption: (input, option) =>
            String(option?.label ?? '')
              .toLowerCase()
              .includes(input.toLowerCase()),
        }}
      />
    </Form.Item>
  );
}

function YuanField({
  common,
  testId,
  detail,
  form,
}: {
  common: Common;
  testId: string;
  detail: CaseDetail;
  form: FormInstance<FormValues>;
}) {
  const { t } = useTranslation();
  const value = Form.useWatch(common.name, form) as string | undefined;
  const policy = detail.case.lifecycle.policy;
  const fen = typeof value === 'string' ? parseYuanToFen(value) : null;
  const limit = formatMoney(policy.frontlineCompensationLimitFen);
  let extra: ReactNode = null;
  if (fen !== null && fen > 0) {
    const levels = requiredApprovalLevels(fen, policy);
    extra = (
      <span data-testid="event-amount-hint" data-levels={levels}>
        {levels === 0
          ? t('eventForms.withinLimit', { limit })
          : t('eventForms.needsApproval', { limit, levels })}
      </span>
    );
  }
  return (
    <Form.Item {...common} extra={extra}>
      <Input
        data-testid={testId}
        prefix="¥"
        inputMode="decimal"
        autoComplete="off"
        placeholder={t('eventForms.yuanPlaceholder')}
        style={{ maxWidth: 260 }}
      />
    </Form.Item>
  );
}

function RateField({
  common,
  testId,
  detail,
  form,
}: {
  common: Common;
  testId: string;
  detail: CaseDetail;
  form: FormInstance<FormValues>;
}) {
  const { t } = useTranslation();
  const value = Form.useWatch(common.name, form) as number | undefined;
  const { satisfactionScale, reopenBelowScore } = detail.case.lifecycle.policy;
  return (
    <Form.Item
      {...common}
      extra={
        value !== undefined && value > 0 && value < reopenBelowScore ? (
          <span style={{ color: '#d46b08' }} data-testid="event-low-score">
            {t('eventForms.lowScoreWarning', { score: reopenBelowScore })}
          </span>
        ) : undefined
      }
    >
      <Rate
        data-testid={testId}
        count={satisfactionScale.max}
        allowClear
        style={{ fontSize: 28 }}
      />
    </Form.Item>
  );
}

function OtherCaseField({
  common,
  testId,
  detail,
  type,
}: {
  common: Common;
  testId: string;
  detail: CaseDetail;
  type: CaseEventType;
}) {
  const { t } = useTranslation();
  const { cases } = useCaseDirectory();
  const absorbed = new Set(detail.case.lifecycle.absorbed);
  const options = (cases ?? [])
    .filter((c) => c.id !== detail.case.id)
    .filter((c) => c.status !== 'merged' && c.status !== 'withdrawn')
    .filter((c) => type !== 'ABSORB_REPEAT' || !absorbed.has(c.id))
    .map((c) => ({
      value: c.id,
      search: `${c.number} ${c.customerName}`,
      label: (
        <div className="cw-option">
          <div>
            <span className="cw-mono">{c.number}</span> · {c.customerName}
          </div>
          <div className="cw-option-sub">
            {t(`statuses.${c.status}`)} · {t(`caseTypes.${c.type}`)} · {formatDateTime(c.createdAt)}
          </div>
        </div>
      ),
      short: `${c.number} · ${c.customerName}`,
    }));
  return (
    <Form.Item {...common}>
      <Select
        data-testid={testId}
        loading={cases === null}
        placeholder={
          cases === null ? t('eventForms.loadingCases') : t('eventForms.casePlaceholder')
        }
        optionLabelProp="short"
        showSearch={{
          filterOption: (input, option) =>
            String(option?.search ?? '')
              .toLowerCase()
              .includes(input.toLowerCase()),
        }}
        options={options}
      />
    </Form.Item>
  );
}

function ReasonsField({
  common,
  testId,
  detail,
}: {
  common: Common;
  testId: string;
  detail: CaseDetail;
}) {
  const { t } = useTranslation();
  const record = detail.case;
  const values = new Set<string>([
    ...record.lifecycle.priorityReasons.map(encodeReason),
    ...assessIntake(record).reasons.map(encodeReason),
    ...SEGMENT_REASONS,
  ]);
  const options = [...values].flatMap((value) => {
    const reason = decodeReason(value);
    return reason ? [{ value, label: priorityReasonLabel(t, reason) }] : [];
  });
  return (
    <Form.Item {...common}>
      <Select
        data-testid={testId}
        mode="multiple"
        allowClear
        placeholder={t('eventForms.reasonsPlaceholder')}
        options={options}
      />
    </Form.Item>
  );
}

function ApprovalLevelsField({ label, detail }: { label: string; detail: CaseDetail }) {
  const { t } = useTranslation();
  const chain = detail.case.lifecycle.policy.approvalChain;
  const required = t('fieldErrors.REQUIRED');
  return (
    <Form.Item label={label} required>
      <Form.List
        name="levels"
        rules={[
          {
            validator: (_, value: unknown[] | undefined) =>
              value && value.length > 0 ? Promise.resolve() : Promise.reject(new Error(required)),
          },
        ]}
      >
        {(items, { add, remove }, { errors }) => (
          <div className="cw-approval-levels" data-testid="event-field-levels">
            {items.map((item, index) => (
              <div key={item.key} className="cw-approval-level">
                <div className="cw-approval-level-head">
                  <Typography.Text strong>
                    {t('eventForms.levelTitle', {
                      level: index + 1,
                      name: chain[index]
                        ? t(`approvalLevels.${chain[index].name}`, {
                            defaultValue: chain[index].name,
                          })
                        : '',
                    })}
                  </Typography.Text>
                  {items.length > 1 && index === items.length - 1 ? (
                    <Button
                      size="small"
                      type="text"
                      icon={<DeleteOutlined />}
                      onClick={() => remove(item.name)}
                    />
                  ) : null}
                </div>
                <div className="cw-approval-level-grid">
                  <Form.Item
                    name={[item.name, 'approverId']}
                    label={t('eventForms.COMPENSATION_DECIDED.approverId')}
                    rules={[{ required: true, whitespace: true, message: required }]}
                  >
                    <Input autoComplete="off" maxLength={ID_MAX} />
                  </Form.Item>
                  <Form.Item
                    name={[item.name, 'role']}
                    label={t('eventForms.COMPENSATION_DECIDED.role')}
                    rules={[{ required: true, message: required }]}
                  >
                    <Select
                      options={APPROVER_ROLES.map((role) => ({
                        value: role,
                        label: t(`approverRoles.${role}`),
                      }))}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[item.name, 'decision']}
                    label={t('eventForms.COMPENSATION_DECIDED.decision')}
                    rules={[{ required: true, message: required }]}
                  >
                    <Radio.Group
                      optionType="button"
                      options={[
                        { value: 'approved', label: t('approvalDecisions.approved') },
                        { value: 'rejected', label: t('approvalDecisions.rejected') },
                      ]}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[item.name, 'at']}
                    label={t('eventForms.COMPENSATION_DECIDED.at')}
                    rules={[{ required: true, message: required }]}
                  >
                    <DatePicker
                      showTime={{ format: 'HH:mm' }}
                      format={DATE_FORMAT}
                      showNow={false}
                      style={{ width: '100%' }}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[item.name, 'comment']}
                    label={t('eventForms.COMPENSATION_DECIDED.comment')}
                    rules={[{ max: 2000, message: t('fieldErrors.TOO_LONG') }]}
                    className="cw-approval-level-wide"
                  >
                    <Input autoComplete="off" />
                  </Form.Item>
                </div>
              </div>
            ))}
            {items.length < chain.length ? (
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() =>
                  add({ role: chain[items.length]?.approverRoles[0], at: pickerNow() })
                }
              >
                {t('eventForms.addLevel')}
              </Button>
            ) : null}
            <Form.ErrorList errors={errors} />
          </div>
        )}
      </Form.List>
    </Form.Item>
  );
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
