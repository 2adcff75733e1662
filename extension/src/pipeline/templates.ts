// Pipeline templates for "Create pipeline from template" (pure). Sized for the built-in tiny model.

export type TemplateId = 'hello' | 'chain' | 'structured';

export const TEMPLATES: { id: TemplateId; label: string; detail: string }[] = [
  { id: 'hello', label: 'Hello', detail: 'Two completion steps and one input with a default' },
  {
    id: 'chain',
    label: 'Summarise and translate',
    detail: 'A chat step that uses an upstream output, with retries',
  },
  {
    id: 'structured',
    label: 'Structured output',
    detail: 'A step whose output is JSON checked against a schema',
  },
];

/** The YAML text of a template, with `name` as metadata.name (a file-name-safe slug). */
export function pipelineTemplate(id: TemplateId, name: string): string {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'pipeline';
  const head = `apiVersion: orchion/v1\nkind: Pipeline\nmetadata:\n  name: ${slug}\n`;
  switch (id) {
    case 'hello':
      return `${head}inputs:
  name:
    type: string
    default: World
    description: Who to greet
defaults:
  model: orchion-tiny
  options:
    temperature: 0
    max_tokens: 24
steps:
  - id: greet
    prompt: 'Write a one-line greeting for \${{ inputs.name }}.'
  - id: shorten
    needs: [greet]
    prompt: "Shorten this greeting to three words:\\n\${{ steps.greet.output }}"
    options:
      max_tokens: 12
outputs:
  greeting: \${{ steps.shorten.output }}
`;
    case 'chain':
      return `${head}inputs:
  text:
    type: string
    description: The text to summarise
defaults:
  model: orchion-tiny
  options:
    max_tokens: 48
steps:
  - id: summarize
    prompt: "Summarise:\\n\${{ inputs.text }}"
  - id: translate
    needs: [summarize]
    messages:
      - role: system
        content: You translate into French.
      - role: user
        content: \${{ steps.summarize.output }}
    retries: 2
    timeout: 120s
outputs:
  french: \${{ steps.translate.output }}
`;
    case 'structured':
      return `${head}inputs:
  product:
    type: string
    default: a teapot
defaults:
  model: orchion-tiny
steps:
  - id: describe
    prompt: 'Describe \${{ inputs.product }} as JSON with a name and a price.'
    options:
      max_tokens: 64
    output:
      schema:
        type: object
        properties:
          name: { type: string }
          price: { type: number }
        required: [name, price]
outputs:
  item: \${{ steps.describe.output }}
`;
  }
}
