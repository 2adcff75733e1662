// Sets inline style properties through the CSSOM (element.style), never the `style` attribute: the pages' CSP has
// no 'unsafe-inline', which blocks style attributes (lit's styleMap writes one on its first render).
// Use on a property binding: `.style=${styleProps({ width: '40%' })}`.
import { noChange } from 'lit';
import { Directive, PartType, directive, type PartInfo, type PropertyPart } from 'lit/directive.js';

class StyleProps extends Directive {
  private previous: Record<string, string> = {};

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.PROPERTY || part.name !== 'style') {
      throw new Error('styleProps() belongs on a `.style` property binding');
    }
  }

  override update(part: PropertyPart, [props]: [Record<string, string>]): typeof noChange {
    const style = (part.element as HTMLElement).style;
    for (const name of Object.keys(this.previous)) if (!(name in props)) style.removeProperty(name);
    for (const [name, value] of Object.entries(props)) {
      if (this.previous[name] !== value) style.setProperty(name, value);
    }
    this.previous = { ...props };
    return noChange;
  }

  render(_props: Record<string, string>): typeof noChange {
    return noChange;
  }
}

export const styleProps = directive(StyleProps);
