import type { ComponentChildren } from 'preact';
import { session, sessionLoaded, type Role } from '../lib/session.js';
import { LoginForm } from './LoginForm.js';
import { Topbar } from './Topbar.js';

/** Shows the login form until someone with one of `roles` is signed in on this device. */
export function RequireLogin({
  roles,
  heading,
  children,
}: {
  roles: Role[];
  heading: string;
  children: ComponentChildren;
}) {
  if (!sessionLoaded.value) return null;
  const s = session.value;
  if (!s || !roles.includes(s.role)) {
    return (
      <>
        <Topbar title={heading} />
        <LoginForm heading={heading} roles={roles} />
      </>
    );
  }
  return <>{children}</>;
}
