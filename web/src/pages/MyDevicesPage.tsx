import { useState } from 'react';
import { App, Button, Card, Col, Empty, Flex, Row, Skeleton, Space, Tag, Typography } from 'antd';
import { ExportOutlined, ImportOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { checkouts as checkoutsApi, devices as devicesApi } from '../api/registry';
import type { Checkout, Device } from '../api/types';
import { CheckinModal, CheckoutModal } from '../components/CheckoutModals';
import { CheckResultTag, DeviceStatusTag } from '../components/RegistryTags';
import { formatOffset } from '../lib/format';
import { useLabels } from '../lib/labels';
import { canCheckOut, checkoutChecked } from '../lib/registry';
import { formatTime } from '../lib/time';
import { useMe } from '../lib/useMe';

function DeviceCard({
  device,
  onCheckout,
  onCheckin,
}: {
  device: Device;
  onCheckout: () => void;
  onCheckin: (c: Checkout) => void;
}) {
  const { t } = useTranslation();
  const labels = useLabels();
  const navigate = useNavigate();
  const out = device.openCheckout;
  const checked = checkoutChecked(device);
  return (
    <Card
      size="small"
      data-testid={`my-device-${device.serial}`}
      title={
        <Link to={`/devices/${device.id}`} className="zl-mono">
          {device.serial}
        </Link>
      }
      extra={
        <Space size={4}>
          <Tag>{labels.deviceType(device)}</Tag>
          <DeviceStatusTag status={device.status} />
        </Space>
      }
    >
      <div className="zl-meta" style={{ marginBottom: 8 }}>
        {[device.maker, device.model, device.assetNumber].filter(Boolean).join(t('common.metaSeparator')) ||
          '\u00a0'}
      </div>
      {out ? (
        <Space orientation="vertical" size={4} style={{ width: '100%' }}>
          <div>
            {t('myDevices.outSince', { from: formatTime(out.checkedOutAt), due: formatTime(out.dueAt) })}
            {out.overdue && (
              <Tag color="red" style={{ marginInlineStart: 8 }}>
                {t('devices.overdue')}
              </Tag>
            )}
          </div>
          <div>
            {device.lastCheck && checked ? (
              <Space size={4} wrap>
                <CheckResultTag check={device.lastCheck} />
                <span>{t('check.offsetValue', { offset: formatOffset(device.lastCheck.offsetMs) })}</span>
              </Space>
            ) : (
              <Typography.Text type="warning">{t('myDevices.needsCheck')}</Typography.Text>
            )}
          </div>
        </Space>
      ) : (
        <div>
          {device.lastCheck ? (
            <Space size={4} wrap>
              <Typography.Text type="secondary">{t('devices.lastCheck')}</Typography.Text>
              <CheckResultTag check={device.lastCheck} />
              <Typography.Text type="secondary">{formatTime(device.lastCheck.checkedAt)}</Typography.Text>
            </Space>
          ) : (
            <Typography.Text type="secondary">{t('devices.neverChecked')}</Typography.Text>
          )}
        </div>
      )}
      <Flex gap={8} wrap style={{ marginTop: 12 }}>
        {!out && canCheckOut(device) && (
          <Button type="primary" icon={<ExportOutlined />} onClick={onCheckout}>
            {t('myDevices.checkout')}
          </Button>
        )}
        {out && (
          <Button
            type={checked ? 'default' : 'primary'}
            icon={<SafetyCertificateOutlined />}
            onClick={() => void navigate(`/my-devices/${device.id}/check`)}
          >
            {t('myDevices.check')}
          </Button>
        )}
        {out && (
          <Button icon={<ImportOutlined />} onClick={() => onCheckin(out)}>
            {t('myDevices.checkin')}
          </Button>
        )}
      </Flex>
    </Card>
  );
}

export default function MyDevicesPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const { data: me } = useMe();
  const held = useQuery({
    queryKey: ['devices', { holderId: me?.id }],
    queryFn: () => devicesApi.list({ holderId: me!.id }),
    enabled: !!me,
  });
  // Devices a custodian checked out to me without making me their holder.
  const lent = useQuery({
    queryKey: ['checkouts', { open: true, officerId: me?.id }],
    queryFn: () => checkoutsApi.list({ open: true, officerId: me!.id }),
    enabled: !!me,
  });
  const [checkingOut, setCheckingOut] = useState<Device | null>(null);
  const [checkingIn, setCheckingIn] = useState<Checkout | null>(null);
  const devices = held.data ?? [];
  const others = (lent.data ?? []).filter(
    (c) => c.officerId === me?.id && !devices.some((d) => d.id === c.deviceId),
  );

  return (
    <>
      <Typography.Title level={4} className="zl-page-title">
        {t('myDevices.title')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('myDevices.intro')}</Typography.Paragraph>
      {held.isPending ? (
        <Skeleton active />
      ) : held.isError ? (
        <Typography.Text type="danger">{held.error.message}</Typography.Text>
      ) : devices.length === 0 && others.length === 0 ? (
        <Card>
          <Empty description={t('myDevices.empty')} />
        </Card>
      ) : (
        <Row gutter={[12, 12]}>
          {devices.map((d) => (
            <Col key={d.id} xs={24} md={12} xl={8}>
              <DeviceCard device={d} onCheckout={() => setCheckingOut(d)} onCheckin={setCheckingIn} />
            </Col>
          ))}
          {others.map((c) => (
            <Col key={c.id} xs={24} md={12} xl={8}>
              <Card size="small" title={<Link to={`/devices/${c.deviceId}`}>{c.deviceSerial}</Link>}>
                <div>
                  {t('myDevices.outSince', { from: formatTime(c.checkedOutAt), due: formatTime(c.dueAt) })}
                </div>
                <Flex gap={8} wrap style={{ marginTop: 12 }}>
                  <Button type="primary" onClick={() => void navigate(`/my-devices/${c.deviceId}/check`)}>
                    {t('myDevices.check')}
                  </Button>
                  <Button onClick={() => setCheckingIn(c)}>{t('myDevices.checkin')}</Button>
                </Flex>
              </Card>
            </Col>
          ))}
        </Row>
      )}
      {checkingOut && (
        <CheckoutModal
          device={checkingOut}
          onClose={() => setCheckingOut(null)}
          onDone={() => {
            void message.success(t('checkout.done'));
            void navigate(`/my-devices/${checkingOut.id}/check`);
          }}
        />
      )}
      {checkingIn && <CheckinModal checkout={checkingIn} onClose={() => setCheckingIn(null)} />}
    </>
  );
}
