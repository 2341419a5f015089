import '@fontsource-variable/inter';
import './styles/theme.css';
import { render } from 'preact';
import { ErrorBoundary, lazy, LocationProvider, Route, Router } from 'preact-iso';
import { registerSW } from 'virtual:pwa-register';
import { Home } from './home/Home.js';
import { rememberPromoter } from './lib/promoter.js';
import { languageReady } from './lib/i18n.js';
import { loadSession } from './lib/session.js';
import { NotFound } from './ui/NotFound.js';

// Each page is its own chunk: the door scanner on a phone never downloads the owner's dashboard.
const DoorPage = lazy(() => import('./door/DoorPage.js').then((m) => m.DoorPage));
const FloorPage = lazy(() => import('./floor/FloorPage.js').then((m) => m.FloorPage));
const EventPage = lazy(() => import('./buy/EventPage.js').then((m) => m.EventPage));
const OrderPage = lazy(() => import('./buy/OrderPage.js').then((m) => m.OrderPage));
const TicketPage = lazy(() => import('./buy/TicketPage.js').then((m) => m.TicketPage));
const InvitePage = lazy(() => import('./buy/InvitePage.js').then((m) => m.InvitePage));
const EventsPage = lazy(() => import('./admin/EventsPage.js').then((m) => m.EventsPage));
const EventEditorPage = lazy(() => import('./admin/EventEditor.js').then((m) => m.EventEditorPage));
const EventDashboardPage = lazy(() => import('./admin/EventDashboard.js').then((m) => m.EventDashboardPage));
const CancelPage = lazy(() => import('./admin/CancelPage.js').then((m) => m.CancelPage));
const StaffPage = lazy(() => import('./admin/StaffPage.js').then((m) => m.StaffPage));
const PromotersPage = lazy(() => import('./admin/PromotersPage.js').then((m) => m.PromotersPage));
const RefusedPage = lazy(() => import('./admin/RefusedPage.js').then((m) => m.RefusedPage));
const OrdersPage = lazy(() => import('./admin/OrdersPage.js').then((m) => m.OrdersPage));

function App() {
  return (
    <LocationProvider>
      <ErrorBoundary>
        <Router>
          <Route path="/" component={Home} />
          <Route path="/door" component={DoorPage} />
          <Route path="/events/:id/floor" component={FloorPage} />
          <Route path="/e/:id" component={EventPage} />
          <Route path="/orders/:id" component={OrderPage} />
          <Route path="/tickets/:id" component={TicketPage} />
          <Route path="/i/:code" component={InvitePage} />
          <Route path="/admin" component={EventsPage} />
          <Route path="/admin/staff" component={StaffPage} />
          <Route path="/admin/refused" component={RefusedPage} />
          <Route path="/admin/promoters" component={PromotersPage} />
          <Route path="/admin/events/new" component={EventEditorPage} />
          <Route path="/admin/events/:id" component={EventDashboardPage} />
          <Route path="/admin/events/:id/edit" component={EventEditorPage} />
          <Route path="/admin/events/:id/cancel" component={CancelPage} />
          <Route path="/admin/events/:id/orders" component={OrdersPage} />
          <Route default component={NotFound} />
        </Router>
      </ErrorBoundary>
    </LocationProvider>
  );
}

// A promoter's link (`?p=CODE`) may land on any page: kept for the order placed later.
rememberPromoter(location.search);
void loadSession();
// The device's language first (a download only for a language other than English): no English flash.
await languageReady;
render(<App />, document.getElementById('app')!);
// The service worker keeps the app shell and the barcode reader available with no network.
registerSW({ immediate: true });
