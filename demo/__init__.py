"""The demo shop: loaded into the demo database only (`flask demo`, run.sh on
first start). Its accounts' password is public.

build.py builds it: shop_setup.py writes the shop and its team, chunks.py the
customers' rows (customers.py, phones.py, sales.py, loyalty.py, all drawn from
draws.py's one seeded stream and data.py's word lists), loading.py writes them
in bulk. destination.py says where it may be loaded; accounts.py closes its
accounts before a real shop starts there."""
