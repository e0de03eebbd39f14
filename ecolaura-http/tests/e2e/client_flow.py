"""Drive a running Ecolaura host through a client generated from its
OpenAPI document by openapi-python-client.

Usage: python client_flow.py <base_url> <staff_access_token>
Prints one JSON line describing what happened; exits non-zero on failure.
"""

import json
import sys

from ecolaura_client import AuthenticatedClient, Client
from ecolaura_client.api.auth import obtain_token, register, me
from ecolaura_client.api.orders import get_order, place_order
from ecolaura_client.api.products import create_product, list_products
from ecolaura_client.models import (
    Order,
    OrderInput,
    OrderLineInput,
    Problem,
    Product,
    ProductInput,
    ProductInputSustainabilityType1,
    ProductOrdering,
    ProductPage,
    RegisterInput,
    TokenInput,
    TokenPair,
    User,
)

base_url, staff_token = sys.argv[1], sys.argv[2]
anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
staff = AuthenticatedClient(base_url=base_url, token=staff_token, raise_on_unexpected_status=True)

# A nullable object field is `allOf: [$ref], nullable: true`; the generator
# gives it a type of its own.
bottle = create_product.sync(
    client=staff,
    body=ProductInput(
        name="Generated Bottle",
        price="19.99",
        stock=3,
        sustainability=ProductInputSustainabilityType1(carbon_footprint_kg=1.2, recyclable=True, biodegradable=False),
    ),
)
assert isinstance(bottle, Product), bottle
assert bottle.price == "19.99", bottle.price

user = register.sync(client=anonymous, body=RegisterInput(email="py@example.com", password="python password", name="Py"))
assert isinstance(user, User), user
tokens = obtain_token.sync(client=anonymous, body=TokenInput(email="py@example.com", password="python password"))
assert isinstance(tokens, TokenPair), tokens
customer = AuthenticatedClient(base_url=base_url, token=tokens.access, raise_on_unexpected_status=True)
assert me.sync(client=customer).email == "py@example.com"

page = list_products.sync(client=anonymous, ordering=ProductOrdering.PRICE, page_size=10)
assert isinstance(page, ProductPage) and page.count >= 1, page

order = place_order.sync(
    client=customer,
    body=OrderInput(lines=[OrderLineInput(product_id=bottle.id, quantity=2)]),
    idempotency_key="python-checkout-1",
)
assert isinstance(order, Order), order
again = place_order.sync(
    client=customer,
    body=OrderInput(lines=[OrderLineInput(product_id=bottle.id, quantity=2)]),
    idempotency_key="python-checkout-1",
)
assert isinstance(again, Order) and again.id == order.id, again

too_many = place_order.sync(
    client=customer, body=OrderInput(lines=[OrderLineInput(product_id=bottle.id, quantity=5)])
)
assert isinstance(too_many, Problem) and too_many.status == 409, too_many

fetched = get_order.sync(client=customer, id=order.id)
assert isinstance(fetched, Order) and fetched.total == "39.98", fetched

print(json.dumps({
    "order_id": str(order.id),
    "status": fetched.status.value,
    "total": fetched.total,
    "lines": len(fetched.lines),
    "conflict": too_many.status,
}))
