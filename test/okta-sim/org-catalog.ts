/** Static vocabularies the generator draws from (invented, generic names). */
export const FIRST_NAMES = [
  'Ava', 'Liam', 'Noah', 'Emma', 'Olivia', 'Mia', 'Lucas', 'Amelia', 'Ethan', 'Sofia',
  'Mateo', 'Isla', 'Leo', 'Zara', 'Arjun', 'Priya', 'Chen', 'Mei', 'Yusuf', 'Layla',
  'Omar', 'Nadia', 'Diego', 'Lucia', 'Kofi', 'Ama', 'Hiro', 'Yuki', 'Sven', 'Ingrid',
  'Pierre', 'Camille', 'Jonas', 'Lena', 'Marco', 'Giulia', 'Tomas', 'Eva', 'Ravi', 'Anika',
  'Samuel', 'Grace', 'Daniel', 'Chloe', 'Felix', 'Nora', 'Oscar', 'Ruby', 'Hugo', 'Iris',
  'Kai', 'Maya', 'Ezra', 'Lila', 'Jude', 'Aria', 'Theo', 'Elena', 'Adam', 'Sara',
] as const;

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Garcia', 'Martinez', 'Brown', 'Lee', 'Wang', 'Kim', 'Patel', 'Singh',
  'Nguyen', 'Tanaka', 'Sato', 'Muller', 'Schmidt', 'Rossi', 'Bianchi', 'Dubois', 'Martin', 'Silva',
  'Santos', 'Costa', 'Kowalski', 'Nowak', 'Novak', 'Larsen', 'Hansen', 'Jensen', 'Olsen', 'Berg',
  'Okafor', 'Mensah', 'Haddad', 'Khan', 'Ahmed', 'Cohen', 'Levi', 'Ivanova', 'Petrov', 'Horvat',
  'Walker', 'Young', 'Hall', 'Allen', 'Wright', 'Scott', 'Green', 'Baker', 'Adams', 'Nelson',
  'Carter', 'Mitchell', 'Perez', 'Roberts', 'Turner', 'Phillips', 'Campbell', 'Parker', 'Evans', 'Reyes',
] as const;

export const DEPARTMENTS = [
  'Engineering', 'Sales', 'Marketing', 'Finance', 'People', 'Legal',
  'Customer Success', 'IT', 'Security', 'Operations', 'Product', 'Design',
] as const;

export const TITLES = [
  'Engineer', 'Senior Engineer', 'Manager', 'Director', 'Analyst', 'Specialist',
  'Coordinator', 'Associate', 'Lead', 'Consultant',
] as const;

/** Group names beyond the per-department ones. */
export const GROUP_STEMS = [
  'VPN Users', 'Contractors', 'All Managers', 'On-Call', 'Production Access', 'Finance Approvers',
  'Laptop Admins', 'Interns', 'Remote Workers', 'Board Portal', 'Data Warehouse Readers',
  'Payroll', 'Security Champions', 'Release Managers', 'Help Desk', 'Vendors',
] as const;

export interface AppTemplate {
  name: string;
  label: string;
  signOnMode: string;
}

export const APP_CATALOG: readonly AppTemplate[] = [
  { name: 'slack', label: 'Slack', signOnMode: 'SAML_2_0' },
  { name: 'salesforce', label: 'Salesforce.com', signOnMode: 'SAML_2_0' },
  { name: 'githubcloud', label: 'GitHub Enterprise Cloud', signOnMode: 'SAML_2_0' },
  { name: 'amazon_aws', label: 'AWS Account Federation', signOnMode: 'SAML_2_0' },
  { name: 'google', label: 'Google Workspace', signOnMode: 'SAML_2_0' },
  { name: 'zoomus', label: 'Zoom', signOnMode: 'SAML_2_0' },
  { name: 'atlassian', label: 'Atlassian Cloud', signOnMode: 'SAML_2_0' },
  { name: 'boxnet', label: 'Box', signOnMode: 'SAML_2_0' },
  { name: 'workday', label: 'Workday', signOnMode: 'SAML_2_0' },
  { name: 'servicenow_ud', label: 'ServiceNow', signOnMode: 'SAML_2_0' },
  { name: 'office365', label: 'Microsoft Office 365', signOnMode: 'WS_FEDERATION' },
  { name: 'dropbox_for_business', label: 'Dropbox Business', signOnMode: 'SAML_2_0' },
  { name: 'oidc_client', label: 'Internal Portal', signOnMode: 'OPENID_CONNECT' },
  { name: 'bookmark', label: 'Benefits Portal', signOnMode: 'BOOKMARK' },
  { name: 'template_swa', label: 'Expense Reports', signOnMode: 'BROWSER_PLUGIN' },
  { name: 'datadog', label: 'Datadog', signOnMode: 'SAML_2_0' },
  { name: 'pagerduty', label: 'PagerDuty', signOnMode: 'SAML_2_0' },
  { name: 'figma', label: 'Figma', signOnMode: 'SAML_2_0' },
  { name: 'notion', label: 'Notion', signOnMode: 'SAML_2_0' },
  { name: 'zendesk', label: 'Zendesk', signOnMode: 'SAML_2_0' },
  { name: 'hubspot', label: 'HubSpot', signOnMode: 'SAML_2_0' },
  { name: 'docusign', label: 'DocuSign', signOnMode: 'SAML_2_0' },
  { name: 'tableau_online', label: 'Tableau Online', signOnMode: 'SAML_2_0' },
  { name: 'template_basic_auth', label: 'Legacy Intranet', signOnMode: 'BASIC_AUTH' },
];

export const ROLE_LABELS: Readonly<Record<string, string>> = {
  SUPER_ADMIN: 'Super Administrator',
  ORG_ADMIN: 'Organizational Administrator',
  APP_ADMIN: 'Application Administrator',
  USER_ADMIN: 'Group Administrator',
  HELP_DESK_ADMIN: 'Help Desk Administrator',
  READ_ONLY_ADMIN: 'Read Only Administrator',
  REPORT_ADMIN: 'Report Administrator',
  GROUP_MEMBERSHIP_ADMIN: 'Group Membership Administrator',
  API_ACCESS_MANAGEMENT_ADMIN: 'API Access Management Administrator',
  WORKFLOWS_ADMIN: 'Workflows Administrator',
  ACCESS_CERTIFICATIONS_ADMIN: 'Access Certifications Administrator',
  ACCESS_REQUESTS_ADMIN: 'Access Requests Administrator',
  CUSTOM: 'Custom Role',
};

export interface GeoPlace {
  city: string;
  state: string;
  country: string;
  postalCode: string;
  lat: number;
  lon: number;
}

export const PLACES: readonly GeoPlace[] = [
  { city: 'San Francisco', state: 'California', country: 'United States', postalCode: '94105', lat: 37.79, lon: -122.39 },
  { city: 'New York', state: 'New York', country: 'United States', postalCode: '10001', lat: 40.75, lon: -73.99 },
  { city: 'Austin', state: 'Texas', country: 'United States', postalCode: '78701', lat: 30.27, lon: -97.74 },
  { city: 'London', state: 'England', country: 'United Kingdom', postalCode: 'EC1A', lat: 51.52, lon: -0.1 },
  { city: 'Berlin', state: 'Berlin', country: 'Germany', postalCode: '10115', lat: 52.53, lon: 13.38 },
  { city: 'Paris', state: 'Ile-de-France', country: 'France', postalCode: '75002', lat: 48.87, lon: 2.34 },
  { city: 'Toronto', state: 'Ontario', country: 'Canada', postalCode: 'M5H', lat: 43.65, lon: -79.38 },
  { city: 'Bengaluru', state: 'Karnataka', country: 'India', postalCode: '560001', lat: 12.97, lon: 77.59 },
  { city: 'Sydney', state: 'New South Wales', country: 'Australia', postalCode: '2000', lat: -33.87, lon: 151.21 },
  { city: 'Sao Paulo', state: 'Sao Paulo', country: 'Brazil', postalCode: '01000', lat: -23.55, lon: -46.63 },
];

export interface UserAgentInfo {
  raw: string;
  os: string;
  browser: string;
}

export const USER_AGENTS: readonly UserAgentInfo[] = [
  {
    raw: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    os: 'Mac OS X',
    browser: 'CHROME',
  },
  {
    raw: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
    os: 'Windows 10',
    browser: 'EDGE_CHROMIUM',
  },
  {
    raw: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
    os: 'Mac OS X',
    browser: 'SAFARI',
  },
  {
    raw: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
    os: 'Linux',
    browser: 'FIREFOX',
  },
  {
    raw: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 OktaVerify/9.20',
    os: 'iOS',
    browser: 'UNKNOWN',
  },
];
