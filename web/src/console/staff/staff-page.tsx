// Admins add staff, change their roles and disable or re-enable them.
import {
  Alert,
  App,
  Badge,
  Button,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Table,
  type TableColumnsType,
  Tag,
} from "antd";
import { type ReactNode, useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, patch, post } from "../../common/api";
import { useList } from "../../common/ui/use-list";
import { useSubmit } from "../../common/ui/use-submit";
import type { StaffMember } from "../api-types";
import { useDialogProps } from "../dialogs";
import { formatTime, roleLabel } from "../labels";
import { PageTitle, TableCaption } from "../page-title";
import { staffRoles } from "../permissions";
import { useMe } from "../session";
import { useErrorText } from "../use-error-text";

/** The server's 409 for changes an admin may not make to themselves, in words. */
function useStaffErrorText(): (err: unknown) => string {
  const { t } = useTranslation();
  const errorText = useErrorText();
  // Kept stable between renders: the list below fetches again whenever it changes.
  return useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.code === "conflict") {
        if (err.problem.reason === "own_admin_role") return t("staff.ownAdminRole");
        if (err.problem.reason === "own_account") return t("staff.ownAccount");
      }
      return errorText(err);
    },
    [t, errorText],
  );
}
type NewStaff = { email: string; name: string; roles: string[]; password: string };

function isDisabled(s: StaffMember): boolean {
  return s.disabled || s.status === "disabled";
}

export function StaffPage() {
  const { t } = useTranslation();
  const { me } = useMe();
  const { message, modal } = App.useApp();
  const dialogProps = useDialogProps();
  const errorText = useStaffErrorText();
  const staff = useList<StaffMember>("/api/v1/console/staff", errorText);
  const action = useSubmit(errorText);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<StaffMember | null>(null);

  function reload() {
    action.reset();
    return staff.reload();
  }

  async function setDisabled(member: StaffMember, disabled: boolean) {
    await action.attempt(async () => {
      await patch(`/api/v1/console/staff/${encodeURIComponent(member.id)}`, { disabled });
      message.success(disabled ? t("staff.disabledDone") : t("staff.enabledDone"));
      await reload();
    });
  }

  const error = action.error || staff.error;
  const roleOptions = staffRoles.map((r) => ({ value: r, label: roleLabel(t, r) }));

  const columns: TableColumnsType<StaffMember> = [
    { title: t("staff.col.email"), dataIndex: "email", render: (v: string | null) => v ?? "—" },
    { title: t("staff.col.name"), dataIndex: "name", render: (v: string | null) => v ?? "—" },
    {
      title: t("staff.col.roles"),
      dataIndex: "roles",
      render: (roles: string[]) => roles.map((r) => <Tag key={r}>{roleLabel(t, r)}</Tag>),
    },
    {
      title: t("staff.col.status"),
      key: "status",
      render: (_, s) =>
        isDisabled(s) ? (
          <Badge status="default" text={t("status.disabled")} />
        ) : (
          <Badge status="success" text={t("status.active")} />
        ),
    },
    {
      title: t("staff.col.lastLogin"),
      dataIndex: "lastLoginAt",
      render: (v?: string | null) => formatTime(v),
    },
    {
      title: t("staff.col.actions"),
      key: "actions",
      render: (_, s) => (
        <Space>
          <Button
            size="small"
            onClick={() => setEditing(s)}
            aria-label={t("staff.editRolesOf", { email: s.email ?? s.name ?? s.id })}
          >
            {t("staff.editRoles")}
          </Button>
          {isDisabled(s) ? (
            <Button
              size="small"
              onClick={() => void setDisabled(s, false)}
              aria-label={t("staff.enableOf", { email: s.email ?? s.name ?? s.id })}
            >
              {t("staff.enable")}
            </Button>
          ) : (
            <Button
              size="small"
              danger
              disabled={s.id === me.id}
              onClick={() =>
                modal.confirm({
                  ...dialogProps,
                  title: t("staff.confirmDisable", { email: s.email ?? s.name ?? s.id }),
                  content: t("staff.confirmDisableHint"),
                  okText: t("staff.disable"),
                  okButtonProps: { danger: true },
                  cancelText: t("common.cancel"),
                  onOk: () => setDisabled(s, true),
                })
              }
              aria-label={t("staff.disableOf", { email: s.email ?? s.name ?? s.id })}
            >
              {t("staff.disable")}
            </Button>
          )}
        </Space>
      ),
    },
  ];

  return (
    <>
      <PageTitle
        extra={
          <Button type="primary" onClick={() => setCreating(true)}>
            {t("staff.create")}
          </Button>
        }
      >
        {t("staff.title")}
      </PageTitle>
      {error ? <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} /> : null}
      <Table<StaffMember>
        rowKey="id"
        columns={columns}
        dataSource={staff.items}
        loading={staff.loading}
        pagination={false}
        caption={<TableCaption>{t("staff.tableCaption")}</TableCaption>}
      />
      {creating && (
        <CreateStaffDialog
          roleOptions={roleOptions}
          onClose={() => setCreating(false)}
          onCreated={() => {
            setCreating(false);
            message.success(t("staff.created"));
            void reload();
          }}
        />
      )}
      {editing && (
        <EditRolesDialog
          member={editing}
          roleOptions={roleOptions}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            message.success(t("staff.saved"));
            void reload();
          }}
        />
      )}
    </>
  );
}

type RoleOption = { value: string; label: string };

function RolesItem({ roleOptions }: { roleOptions: RoleOption[] }) {
  const { t } = useTranslation();
  return (
    <Form.Item
      label={t("staff.col.roles")}
      name="roles"
      rules={[{ required: true, type: "array", min: 1, message: t("staff.rolesRequired") }]}
    >
      <Select mode="multiple" options={roleOptions} optionFilterProp="label" />
    </Form.Item>
  );
}

/** A modal around one antd form: OK sends the form, and a failure shows under it in `describe`'s words. */
function FormDialog<T>({
  title,
  okText,
  describe,
  initialValues,
  send,
  onClose,
  children,
}: {
  title: string;
  okText: string;
  describe: (err: unknown) => string;
  initialValues?: Partial<T>;
  send(values: T): Promise<void>;
  onClose(): void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const dialogProps = useDialogProps();
  const [form] = Form.useForm<T>();
  const submit = useSubmit(describe);
  return (
    <Modal
      {...dialogProps}
      open
      title={title}
      okText={okText}
      cancelText={t("common.cancel")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: submit.busy }}
      destroyOnHidden
    >
      <Form<T>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={initialValues}
        onFinish={(values) => void submit.run(() => send(values))}
      >
        {children}
      </Form>
      {submit.error ? <Alert type="error" showIcon title={submit.error} role="alert" /> : null}
    </Modal>
  );
}

function CreateStaffDialog({
  roleOptions,
  onClose,
  onCreated,
}: {
  roleOptions: RoleOption[];
  onClose(): void;
  onCreated(): void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  return (
    <FormDialog<NewStaff>
      title={t("staff.create")}
      okText={t("staff.createSubmit")}
      describe={errorText}
      send={async (values) => {
        await post("/api/v1/console/staff", {
          ...values,
          email: values.email.trim(),
          name: values.name.trim(),
        });
        onCreated();
      }}
      onClose={onClose}
    >
      <Form.Item
        label={t("staff.col.email")}
        name="email"
        rules={[{ required: true, type: "email", message: t("staff.emailInvalid") }]}
      >
        <Input autoComplete="off" />
      </Form.Item>
      <Form.Item
        label={t("staff.col.name")}
        name="name"
        rules={[{ required: true, whitespace: true, message: t("staff.nameRequired") }]}
      >
        <Input autoComplete="off" />
      </Form.Item>
      <RolesItem roleOptions={roleOptions} />
      <Form.Item
        label={t("staff.initialPassword")}
        name="password"
        extra={t("staff.initialPasswordHint")}
        rules={[{ required: true, min: 10, message: t("staff.passwordTooShort") }]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
    </FormDialog>
  );
}

function EditRolesDialog({
  member,
  roleOptions,
  onClose,
  onSaved,
}: {
  member: StaffMember;
  roleOptions: RoleOption[];
  onClose(): void;
  onSaved(): void;
}) {
  const { t } = useTranslation();
  const errorText = useStaffErrorText();
  return (
    <FormDialog<{ roles: string[] }>
      title={t("staff.editRolesOf", { email: member.email ?? member.name ?? member.id })}
      okText={t("common.save")}
      describe={errorText}
      initialValues={{ roles: member.roles }}
      send={async (values) => {
        await patch(`/api/v1/console/staff/${encodeURIComponent(member.id)}`, { roles: values.roles });
        onSaved();
      }}
      onClose={onClose}
    >
      <RolesItem roleOptions={roleOptions} />
    </FormDialog>
  );
}
