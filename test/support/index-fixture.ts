/**
 * The fixture workspace of the index tests: related code in Python, JavaScript and TypeScript, plus everything the
 * index must leave out (ignored, excluded, binary, too large, invalid UTF-8, foreign files).
 */
export const INVENTORY_PY = `"""Stock keeping."""
from decimal import Decimal


def restock(stock, item, quantity):
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    stock[item] = stock.get(item, 0) + quantity
    return stock


def remove_item(stock, item, quantity):
    current = stock.get(item, 0)
    if quantity > current:
        raise ValueError("not enough stock")
    stock[item] = current - quantity
    return stock


def total_value(stock, prices):
    # Sum of price times count.
    return sum(prices[item] * count for item, count in stock.items())
`;

export const REPORT_PY = `import json


def render(report):
    lines = [f"{name}: {value}" for name, value in report.items()]
    return "\\n".join(lines)


def save(report, path):
    with open(path, "w") as handle:
        json.dump(report, handle)
`;

export const CART_JS = `// Shopping cart.
export function addToCart(cart, item, quantity) {
  cart[item] = (cart[item] || 0) + quantity;
  return cart;
}

export function removeFromCart(cart, item, quantity) {
  const current = cart[item] || 0;
  cart[item] = current - quantity;
  return cart;
}
`;

export const TYPES_TS = `export interface Item {
  name: string;
  price: number;
}

/* The price of one item. */
export function priceOf(item: Item): number {
  return item.price;
}
`;

/** Bytes above the fixture's index.maxFileBytes. */
export const FIXTURE_MAX_FILE_BYTES = 4096;

export function fixtureFiles(): Record<string, string | Uint8Array> {
  return {
    ".gitignore": "build/\n",
    "src/inventory.py": INVENTORY_PY,
    "src/report.py": REPORT_PY,
    "web/cart.js": CART_JS,
    "web/types.ts": TYPES_TS,
    "build/generated.py": "generated = True\n",
    "node_modules/dep/index.js": "module.exports = function dep() { return 1; };\n",
    "src/blob.py": new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02, 0x00, 0x61]),
    "src/huge.py": "value = compute(value)\n".repeat(Math.ceil((FIXTURE_MAX_FILE_BYTES * 2) / 23)),
    "src/latin.py": new Uint8Array([...Buffer.from("name = '"), 0xe9, ...Buffer.from("'\n")]),
    "README.md": "# Fixture\n",
  };
}

/** The 0-based line of the first line of `text` that contains `snippet`. */
export function lineOf(text: string, snippet: string): number {
  const index = text.split("\n").findIndex((l) => l.includes(snippet));
  if (index < 0) throw new Error(`fixture: no line contains ${snippet}`);
  return index;
}
