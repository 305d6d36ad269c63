// GOV.UK Frontend's components (error summary focus, service navigation menu, buttons).
import { initAll } from "../govuk-frontend/dist/govuk/govuk-frontend.min.js";

initAll();
