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
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, get, patch, post } from "../../common/api";
import type { StaffMember } from "../api-types";
import { formatTime, roleLabel } from "../labels";
import { PageTitle, TableCaption } from "../page-title";
import { staffRoles } from "../permissions";
import { useMe } from "../session";
import { useErrorText } from "../use-error-text";

type StaffList = { items: StaffMember[] };

/** The server's 409 for changes an admin may not make to themselves, in words. */
function useStaffErrorText(): (err: unknown) => string {
  const { t } = useTranslation();
  const errorText = useErrorText();
  return (err) => {
    if (err instanceof ApiError && err.code === "conflict") {
      if (err.problem.reason === "own_admin_role") return t("staff.ownAdminRole");
      if (err.problem.reason === "own_account") return t("staff.ownAccount");
    }
    return errorText(err);
  };
}
type NewStaff = { email: string; name: string; roles: string[]; password: string };

function isDisabled(s: StaffMember): boolean {
  return s.disabled || s.status === "disabled";
}

export function StaffPage() {
  const { t } = useTranslation();
  const { me } = useMe();
  const { message, modal } = App.useApp();
  const errorText = useStaffErrorText();
  const [items, setItems] = useState<StaffMember[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<StaffMember | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const res = await get<StaffList>("/api/v1/console/staff");
      setItems(res.items);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setLoading(false);
    }
  }, [errorText]);

  useEffect(() => {
    void load();
  }, [load]);

  async function setDisabled(member: StaffMember, disabled: boolean) {
    setError(null);
    try {
      await patch(`/api/v1/console/staff/${encodeURIComponent(member.id)}`, { disabled });
      message.success(disabled ? t("staff.disabledDone") : t("staff.enabledDone"));
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  }

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
      {error && <Alert type="error" showIcon title={error} role="alert" style={{ marginBottom: 16 }} />}
      <Table<StaffMember>
        rowKey="id"
        columns={columns}
        dataSource={items}
        loading={loading}
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
            void load();
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
            void load();
          }}
        />
      )}
    </>
  );
}

type RoleOption = { value: string; label: string };

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
  const [form] = Form.useForm<NewStaff>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(values: NewStaff) {
    setBusy(true);
    setError(null);
    try {
      await post("/api/v1/console/staff", {
        ...values,
        email: values.email.trim(),
        name: values.name.trim(),
      });
      onCreated();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      title={t("staff.create")}
      okText={t("staff.createSubmit")}
      cancelText={t("common.cancel")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: busy }}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}>
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
        <Form.Item
          label={t("staff.col.roles")}
          name="roles"
          rules={[{ required: true, type: "array", min: 1, message: t("staff.rolesRequired") }]}
        >
          <Select mode="multiple" options={roleOptions} optionFilterProp="label" />
        </Form.Item>
        <Form.Item
          label={t("staff.initialPassword")}
          name="password"
          extra={t("staff.initialPasswordHint")}
          rules={[{ required: true, min: 10, message: t("staff.passwordTooShort") }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} role="alert" />}
    </Modal>
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
  const [form] = Form.useForm<{ roles: string[] }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(values: { roles: string[] }) {
    setBusy(true);
    setError(null);
    try {
      await patch(`/api/v1/console/staff/${encodeURIComponent(member.id)}`, { roles: values.roles });
      onSaved();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open
      title={t("staff.editRolesOf", { email: member.email ?? member.name ?? member.id })}
      okText={t("common.save")}
      cancelText={t("common.cancel")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: busy }}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ roles: member.roles }}
        onFinish={(v) => void submit(v)}
      >
        <Form.Item
          label={t("staff.col.roles")}
          name="roles"
          rules={[{ required: true, type: "array", min: 1, message: t("staff.rolesRequired") }]}
        >
          <Select mode="multiple" options={roleOptions} optionFilterProp="label" />
        </Form.Item>
      </Form>
      {error && <Alert type="error" showIcon title={error} role="alert" />}
    </Modal>
  );
}
