#include "absl/strings/string_view.h"
#include "minibox/resource_types.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace gop::minibox {
namespace {

const absl::flat_hash_set<absl::string_view>& Types() {
  static const auto* types = new absl::flat_hash_set<absl::string_view>{
      "Account", "ActivityDefinition", "AdverseEvent", "AllergyIntolerance", "Appointment",
      "AppointmentResponse", "AuditEvent", "Basic", "Binary", "BiologicallyDerivedProduct",
      "BodyStructure", "Bundle", "CapabilityStatement", "CarePlan", "CareTeam",
      "CatalogEntry", "ChargeItem", "ChargeItemDefinition", "Claim", "ClaimResponse",
      "ClinicalImpression", "CodeSystem", "Communication", "CommunicationRequest",
      "CompartmentDefinition", "Composition", "ConceptMap", "Condition", "Consent",
      "Contract", "Coverage", "CoverageEligibilityRequest", "CoverageEligibilityResponse",
      "DetectedIssue", "Device", "DeviceDefinition", "DeviceMetric", "DeviceRequest",
      "DeviceUseStatement", "DiagnosticReport", "DocumentManifest", "DocumentReference",
      "EffectEvidenceSynthesis", "Encounter", "Endpoint", "EnrollmentRequest",
      "EnrollmentResponse", "EpisodeOfCare", "EventDefinition", "Evidence",
      "EvidenceVariable", "ExampleScenario", "ExplanationOfBenefit", "FamilyMemberHistory",
      "Flag", "Goal", "GraphDefinition", "Group", "GuidanceResponse", "HealthcareService",
      "ImagingStudy", "Immunization", "ImmunizationEvaluation", "ImmunizationRecommendation",
      "ImplementationGuide", "InsurancePlan", "Invoice", "Library", "Linkage", "List",
      "Location", "Measure", "MeasureReport", "Media", "Medication",
      "MedicationAdministration", "MedicationDispense", "MedicationKnowledge",
      "MedicationRequest", "MedicationStatement", "MedicinalProduct",
      "MedicinalProductAuthorization", "MedicinalProductContraindication",
      "MedicinalProductIndication", "MedicinalProductIngredient",
      "MedicinalProductInteraction", "MedicinalProductManufactured",
      "MedicinalProductPackaged", "MedicinalProductPharmaceutical",
      "MedicinalProductUndesirableEffect", "MessageDefinition", "MessageHeader",
      "MolecularSequence", "NamingSystem", "NutritionOrder", "Observation",
      "ObservationDefinition", "OperationDefinition", "OperationOutcome", "Organization",
      "OrganizationAffiliation", "Parameters", "Patient", "PaymentNotice",
      "PaymentReconciliation", "Person", "PlanDefinition", "Practitioner",
      "PractitionerRole", "Procedure", "Provenance", "Questionnaire",
      "QuestionnaireResponse", "RelatedPerson", "RequestGroup", "ResearchDefinition",
      "ResearchElementDefinition", "ResearchStudy", "ResearchSubject", "RiskAssessment",
      "RiskEvidenceSynthesis", "Schedule", "SearchParameter", "ServiceRequest", "Slot",
      "Specimen", "SpecimenDefinition", "StructureDefinition", "StructureMap",
      "Subscription", "Substance", "SubstanceNucleicAcid", "SubstancePolymer",
      "SubstanceProtein", "SubstanceReferenceInformation", "SubstanceSourceMaterial",
      "SubstanceSpecification", "SupplyDelivery", "SupplyRequest", "Task",
      "TerminologyCapabilities", "TestReport", "TestScript", "ValueSet",
      "VerificationResult", "VisionPrescription"};
  return *types;
}

}  // namespace

bool IsResourceType(absl::string_view name) { return Types().contains(name); }

std::string TableBaseName(absl::string_view type) {
  return absl::AsciiStrToLower(type);
}

std::string TableName(absl::string_view type) {
  return absl::StrCat("\"", TableBaseName(type), "\"");
}

std::string HistoryTableName(absl::string_view type) {
  return absl::StrCat("\"", TableBaseName(type), "_history\"");
}

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '.') return false;
  }
  return true;
}

}  // namespace gop::minibox
