"""The demo shop: loaded into the demo database only (`flask demo`, run.sh on
first start). Its accounts' password is public."""
