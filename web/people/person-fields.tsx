import type { FieldIssue } from '../../lib/errors.js';
import { errorOf, TextField } from '../http/layout.js';

/**
 * A person named by the one who adds them (a member, a coordinator): their name and address, with
 * what was typed and its mistakes kept. `idSuffix` keeps the ids apart where one page has several.
 */
export function PersonFields(props: { values?: Record<string, string> | undefined; errors?: FieldIssue[] | undefined; idSuffix?: string }) {
  const errors = props.errors ?? [];
  const id = (name: string) => (props.idSuffix ? `${name}-${props.idSuffix}` : undefined);
  return (
    <>
      <TextField name="name" id={id('name')} label="Name" required value={props.values?.name} error={errorOf(errors, 'name')} />
      <TextField
        name="email"
        id={id('email')}
        label="Email address"
        type="email"
        inputmode="email"
        required
        value={props.values?.email}
        error={errorOf(errors, 'email')}
      />
    </>
  );
}
