"""Every table of Comptoir, one module per domain; import from here."""
from models.audit import AuditEvent
from models.consent import ConsentEvent, CustomerConsent
from models.customers import Customer, CustomerGroup, Group, Phone, customer_groups
from models.imports import ImportJob, ImportStagedRow, ImportUpload
from models.loyalty import PointsEntry, Reward, RewardType
from models.sales import CustomerPurchase, Invoice, ItemName, Sale, SaleItem
from models.quality import QualityIgnored
from models.shop import Location, ShopSettings
from models.team import Employee, EmployeeSession, PermissionSet, SignInFailure, employee_locations
from models.undo import ImportChange, MergeSnapshot, MergeSnapshotCustomer

__all__ = [
    "AuditEvent", "ConsentEvent", "CustomerConsent", "Customer", "CustomerGroup", "Group", "Phone", "customer_groups",
    "ImportJob", "ImportStagedRow", "ImportUpload", "PointsEntry", "Reward", "RewardType", "Invoice", "Sale", "SaleItem",
    "ItemName", "CustomerPurchase", "Location", "ShopSettings", "Employee", "EmployeeSession", "PermissionSet",
    "SignInFailure", "employee_locations", "ImportChange", "MergeSnapshot", "MergeSnapshotCustomer",
    "QualityIgnored",
]
