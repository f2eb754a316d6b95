/**
 * Who made a change, as its event in the timeline records it: a signed-in person, or an API key by
 * name; `onBehalfOf` names the person it was done for when that is someone else (a lead completing the
 * owner's commitment, an integration acting for a named person). Changes a workflow makes on its own
 * (a reminder, a review missed) have no actor: the timeline says "system".
 */
export interface Actor {
  kind: 'person' | 'api_key';
  id: string;
  name: string;
  onBehalfOf?: { id: string; name: string } | undefined;
  /** How they acted when not on a page or through the API: by replying to a copy of an email. */
  via?: 'email' | undefined;
}

/** Every change names who made it (histories recorded before actors were passed have none). */
export interface Acted {
  actor?: Actor;
}
